import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMessageStore } from '../../src/server/messages/store.ts';

/** The built server's command line, as deployed: `node dist/server/cli.js --config widgets.json`. */
const CLI = 'dist/server/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'omniwidget-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = join(dir, 'widgets.json');
writeFileSync(config, JSON.stringify({ widgets: [{ id: 'acme', allowedOrigins: ['https://acme.example'], channels: [{ id: 'mail', type: 'email' }] }] }));
const database = join(dir, 'messages.sqlite');

function start(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, '--config', config, '--port', '0', '--db', database], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describe('omniwidget-server', () => {
  it('refuses a bad configuration file with a message naming the field, and exit code 2', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ widgets: [{ id: 'acme', allowedOrigins: [], channels: [{ id: 'wa', type: 'whatsapp', phone: '8 800' }] }] }));
    const result = spawnSync(process.execPath, [CLI, '--config', bad, '--port', '0'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`omniwidget-server: Invalid configuration file ${bad}:\nwidgets[0].channels[0].phone: must be an international number such as +79990001122\n`);
    const missing = spawnSync(process.execPath, [CLI], { encoding: 'utf8', env: { ...process.env, OMNIWIDGET_CONFIG: '' } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/No configuration: pass --config <file> or set OMNIWIDGET_CONFIG/);
  });

  it('loses nothing it confirmed when killed outright (SIGKILL) and restarted', async () => {
    const first = await start();
    const post = (url: string, key: string) =>
      fetch(`${url}/v1/widgets/acme/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: 'https://acme.example', 'Idempotency-Key': key },
        body: JSON.stringify({ email: 'ann@example.com', message: `durable ${key}` }),
      });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await post(first.url, `crash-key-${i}`);
      expect(response.status).toBe(201);
      ids.push((await response.json()).id);
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await start();
    try {
      // A retry after the crash is recognised: same id, nothing written twice.
      expect(await (await post(second.url, 'crash-key-4')).json()).toEqual({ id: ids[4] });
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
    const store = openMessageStore(database);
    expect(store.list('acme').map((message) => message.id).sort()).toEqual([...ids].sort());
    store.close();
  });
});
