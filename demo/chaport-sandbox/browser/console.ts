/**
 * The sandbox's operator console: what an agent sees in Chaport. Switch operators online/offline, read each
 * visitor's chat, reply as an operator. Refreshes live from the sandbox's event stream.
 */

type Operator = { id: string; name: string; status: 'online' | 'offline' | 'invisible' };
type ChatEvent = { id: string; type: string; params: { text: string; operatorId?: string }; createdAt: string };
type Visitor = { id: string; name?: string; email?: string; phone?: string; currentPage?: string; lastSeenAt: string; chats: { id: string; stage: string; events: ChatEvent[] }[] };
type App = { appId: string; teamName: string; operators: Operator[]; visitors: Visitor[]; webhooks: { event: string; visitorId: string; status: number | string }[] };

const root = document.getElementById('apps') as HTMLElement;
const drafts = new Map<string, string>();

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('data-')) node.setAttribute(key, String(value));
    else (node as unknown as Record<string, unknown>)[key] = value;
  }
  node.append(...children);
  return node;
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) alert(`Failed: ${(await response.json()).error?.message ?? response.status}`);
}

function renderApp(app: App): HTMLElement {
  const operators = element('ul', { className: 'operators' });
  for (const operator of app.operators) {
    const select = element('select', { 'data-operator': operator.id, ariaLabel: `Status of ${operator.name}` });
    for (const status of ['online', 'offline', 'invisible']) select.append(element('option', { value: status, selected: operator.status === status }, status));
    select.addEventListener('change', () => void post(`/console/api/operators/${operator.id}/status?appid=${app.appId}`, { status: select.value }));
    operators.append(element('li', { className: `status-${operator.status}` }, element('span', { className: 'dot' }), ` ${operator.name} `, select));
  }

  const visitors = element('ul', { className: 'visitors' });
  if (app.visitors.length === 0) visitors.append(element('li', { className: 'muted' }, 'No visitors yet. Open the demo site in another tab.'));
  for (const visitor of app.visitors) {
    const chat = visitor.chats.find((item) => item.stage !== 'closed');
    const log = element('ol', { className: 'log' });
    for (const event of chat?.events ?? []) {
      const author = event.type === 'visitor-message' ? 'Visitor' : (app.operators.find((op) => op.id === event.params.operatorId)?.name ?? 'Operator');
      log.append(element('li', { className: event.type }, element('b', {}, `${author}: `), event.params.text));
    }
    const key = `${app.appId}/${visitor.id}`;
    const input = element('input', { type: 'text', placeholder: 'Reply as an operator…', value: drafts.get(key) ?? '', ariaLabel: `Reply to visitor ${visitor.id}`, 'data-reply': visitor.id });
    input.addEventListener('input', () => drafts.set(key, input.value));
    const as = element('select', { ariaLabel: 'Reply as' });
    for (const operator of app.operators) as.append(element('option', { value: operator.id }, operator.name));
    const close = element('button', { type: 'button', className: 'secondary' }, 'Close chat');
    close.addEventListener('click', () => void post(`/console/api/close?appid=${app.appId}`, { visitorId: visitor.id }));
    const form = element('form', { className: 'reply' }, as, input, element('button', { type: 'submit' }, 'Send'), ...(chat ? [close] : []));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      drafts.delete(key);
      void post(`/console/api/reply?appid=${app.appId}`, { visitorId: visitor.id, text: input.value, operatorId: as.value });
    });
    const who = [visitor.name, visitor.email, visitor.phone].filter(Boolean).join(' · ') || 'Anonymous visitor';
    visitors.append(
      element(
        'li',
        { className: 'visitor', 'data-visitor': visitor.id },
        element('h3', {}, `${who} `, element('small', {}, `#${visitor.id}`)),
        element('p', { className: 'muted' }, `Page: ${visitor.currentPage ?? '—'} · last seen ${new Date(visitor.lastSeenAt).toLocaleTimeString()}`),
        log,
        form,
      ),
    );
  }
  return element(
    'section',
    { className: 'app' },
    element('h2', {}, `${app.teamName} `, element('small', {}, `app ${app.appId}`)),
    element('h3', {}, 'Operators'),
    operators,
    element('h3', {}, 'Visitors and chats'),
    visitors,
    element('h3', {}, 'Webhooks sent to the helpdesk (latest first)'),
    app.webhooks.length
      ? element('ol', { className: 'webhooks' }, ...app.webhooks.map((hook) => element('li', {}, `${hook.event} · visitor ${hook.visitorId} · ${hook.status}`)))
      : element('p', { className: 'muted' }, 'None yet: the helpdesk subscribes when it starts with a Chaport integration.'),
  );
}

async function refresh(): Promise<void> {
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = focused?.getAttribute('data-reply');
  const apps = (await (await fetch('/console/api/state')).json()) as App[];
  root.replaceChildren(...apps.map(renderApp));
  if (focusKey) (root.querySelector(`[data-reply="${focusKey}"]`) as HTMLInputElement | null)?.focus();
}

const live = new EventSource('/console/api/events');
live.onmessage = () => void refresh();
void refresh();

export {};
