omniwidget('identify', { name: 'Demo Visitor', email: 'visitor@example.com', custom: { plan: 'pro' } });
document.getElementById('contact').addEventListener('click', () => omniwidget('open'));
document.getElementById('mail').addEventListener('click', () => omniwidget('openChannel', 'mail'));
const log = document.getElementById('events');
for (const name of ['ready', 'open', 'close', 'channel:select', 'chat:message', 'presence', 'message:sent', 'error']) {
  omniwidget('on', name, (payload) => { log.textContent = `Last event: ${name} ${JSON.stringify(payload ?? {})}`; });
}
