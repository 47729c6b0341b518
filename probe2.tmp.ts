import { spawn } from 'node:child_process';
const port = 4444 + Math.floor(Math.random() * 1000);
const driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: 'inherit' });
const base = `http://127.0.0.1:${port}`;
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await response.json()).value;
};
for (let i = 0; i < 50; i++) { try { await fetch(base + '/status'); break; } catch { await new Promise((r) => setTimeout(r, 100)); } }
const session = await call('POST', '/session', { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', args: ['--automation', process.env.HEADLESS ? '--headless' : ''].filter(Boolean) } } } });
console.log('session', JSON.stringify(session).slice(0, 300));
const id = session.sessionId;
await call('POST', `/session/${id}/url`, { url: 'data:text/html,<button id=b style="width:100px;height:40px">hi</button><script>b.onclick=()=>document.title="clicked"</script>' });
await call('POST', `/session/${id}/actions`, { actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [{ type: 'pointerMove', x: 20, y: 20, origin: 'viewport' }, { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }] }] });
console.log('webkit', await call('POST', `/session/${id}/execute/sync`, { script: 'return [document.title, navigator.userAgent]', args: [] }));
await call('DELETE', `/session/${id}`);
driver.kill();
