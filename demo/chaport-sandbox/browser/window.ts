/**
 * The chat window inside the sandbox's iframe (Chaport shows its chat in an iframe too). Talks to the sandbox
 * server over HTTP and Server-Sent Events, and to the embedding page's insert.js over postMessage — always to
 * and from the page's exact origin, never `'*'`.
 */

type ChatEvent = { id: string; type: 'visitor-message' | 'operator-message'; params: { text: string; operatorId?: string }; createdAt: string };
type Session = { teamName: string; chat: { events: ChatEvent[]; unread: number } | null; operators: Record<string, string> };
type Live = { kind: 'operator-message'; event: ChatEvent; operatorName: string };

const params = new URLSearchParams(location.search);
const appId = params.get('appid') ?? '';
const visitorId = params.get('visitor') ?? '';
const parentOrigin = params.get('origin') ?? '';
const ru = params.get('lang') === 'ru';
const text = ru
  ? { placeholder: 'Напишите сообщение…', send: 'Отправить', close: 'Свернуть чат', empty: 'Задайте вопрос — мы ответим здесь.', you: 'Вы' }
  : { placeholder: 'Type a message…', send: 'Send', close: 'Minimize the chat', empty: 'Ask us anything — we will answer here.', you: 'You' };
const query = `appid=${encodeURIComponent(appId)}&visitor=${encodeURIComponent(visitorId)}`;

const toParent = (message: Record<string, unknown>) => {
  if (parentOrigin) window.parent.postMessage(message, parentOrigin);
};

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = byId<HTMLOListElement>('log');
const form = byId<HTMLFormElement>('composer');
const input = byId<HTMLTextAreaElement>('input');
byId<HTMLButtonElement>('send').textContent = text.send;
input.placeholder = text.placeholder;
byId<HTMLButtonElement>('close').setAttribute('aria-label', text.close);
document.documentElement.style.setProperty('--accent', params.get('color') ?? '#2f8fff');

const shown = new Set<string>();
function show(event: ChatEvent, author: string): void {
  if (shown.has(event.id)) return;
  shown.add(event.id);
  byId('empty').hidden = true;
  const item = document.createElement('li');
  item.className = event.type;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = author;
  const body = document.createElement('p');
  body.textContent = event.params.text;
  item.append(who, body);
  log.append(item);
  item.scrollIntoView({ block: 'end' });
}

async function start(): Promise<void> {
  const response = await fetch(`/widget/api/session?${query}&page=${encodeURIComponent(params.get('page') ?? '')}&lang=${ru ? 'ru' : 'en'}`);
  const session = (await response.json()) as Session;
  byId('team').textContent = session.teamName;
  byId('empty').textContent = text.empty;
  for (const event of session.chat?.events ?? []) show(event, event.type === 'visitor-message' ? text.you : (session.operators[event.params.operatorId ?? ''] ?? 'Operator'));

  const live = new EventSource(`/widget/api/events?${query}`);
  live.onmessage = (message) => {
    const data = JSON.parse(message.data) as Live;
    if (data.kind !== 'operator-message') return;
    show(data.event, data.operatorName);
    toParent({ type: 'operator-message', text: data.event.params.text, operatorName: data.operatorName });
  };
  toParent({ type: 'ready', unread: session.chat?.unread ?? 0 });
}

window.addEventListener('message', (event: MessageEvent<{ type: string; data?: unknown }>) => {
  if (event.origin !== parentOrigin || event.source !== window.parent) return;
  if (event.data?.type === 'read') void fetch(`/widget/api/read?${query}`, { method: 'POST' });
  if (event.data?.type === 'visitor-data')
    void fetch(`/widget/api/visitor-data?${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event.data.data ?? {}) });
});

byId('close').addEventListener('click', () => toParent({ type: 'collapse' }));
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const message = input.value.trim();
  if (!message) return;
  input.value = '';
  const response = await fetch(`/widget/api/messages?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: message, page: params.get('page') }),
  });
  const { event: sent, started } = (await response.json()) as { event: ChatEvent; started: boolean };
  show(sent, text.you);
  if (started) toParent({ type: 'chat-started' });
});

void start();

export {};
