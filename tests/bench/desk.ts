/**
 * `npm run bench` (desk): how fast the helpdesk side is for people. The built server runs as its own process
 * (SQLite) with the Chaport sandbox upstream, which sends real webhooks to it; desks and visitors are read the way
 * their browsers read them (server-sent events).
 * 1. A new chat reaching the desks: from the visitor's message (to Chaport) until each desk's live stream names the
 *    conversation (goal: within 1 s) — with 1 desk connected (the baseline), then with 50, in the same run.
 * 2. An agent's reply reaching the visitor: from the desk's POST until the visitor's chat window (the sandbox's
 *    event stream) has it — against the baseline of an operator writing straight into Chaport's REST API.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChaportSandbox } from '../../demo/chaport-sandbox/app.ts';
import { DEMO_APP_ID, DEMO_TOKEN, defaultAccounts } from '../../demo/stack.ts';
import { listen } from '../../src/server/http/listen.ts';
import { ms, startServerProcess, until } from './support.ts';

const CHATS = Number(process.env.BENCH_CHATS ?? 20);
const DESKS = 50;
const PASSWORD = 'bench desk password';
const dir = mkdtempSync(join(tmpdir(), 'omniwidget-bench-desk-'));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** A server-sent-events reader: calls `onEvent` with each event's name and data, until `close()`. */
function readEvents(url: string, headers: Record<string, string>, onEvent: (event: string, data: string) => void): { ready: Promise<void>; close(): void } {
  const abort = new AbortController();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  void (async () => {
    const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
    if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);
    markReady();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '';
        if (block.startsWith(':')) continue;
        onEvent(field('event') || 'message', field('data'));
      }
    }
  })().catch((error: Error) => {
    if (error.name !== 'AbortError') console.error(error);
  });
  return { ready, close: () => abort.abort() };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const line = (label: string, values: number[]) => `${label.padEnd(44)} p50 ${ms(percentile(values, 50)).padStart(7)}  p99 ${ms(percentile(values, 99)).padStart(7)}  max ${ms(Math.max(...values)).padStart(7)}  (n=${values.length})`;

const sandbox = createChaportSandbox(defaultAccounts());
const sandboxServer = await listen(sandbox.app, { limits: { maxConnectionsPerIp: 0 } });
const port = await freePort();
const api = `http://127.0.0.1:${port}`;
const config = join(dir, 'widgets.json');
const db = join(dir, 'desk.sqlite');
writeFileSync(
  config,
  JSON.stringify({
    widgets: [{ id: 'acme', allowedOrigins: ['*'], channels: [{ id: 'chat', type: 'chaport', appId: DEMO_APP_ID, apiUrl: `${sandboxServer.url}/api/v1` }] }],
    helpdesk: { publicUrl: api, chaport: { apiUrl: `${sandboxServer.url}/api/v1`, reconcileMinutes: 1440, idleMinutes: 600 } },
  }),
);
const created = spawnSync(process.execPath, ['dist/server/cli.js', 'admin', 'create', '--db', db, '--email', 'anna@acme.example', '--name', 'Anna', '--password-stdin'], { input: PASSWORD, encoding: 'utf8' });
if (created.status !== 0) throw new Error(`admin create failed: ${created.stderr}`);
const server = await startServerProcess('dist/server/cli.js', ['--config', config, '--db', db, '--port', String(port)], { CHAPORT_API_TOKEN: DEMO_TOKEN });

try {
  // Signed in as Anna, who answers as the sandbox's operator Anna.
  const signIn = await fetch(`${api}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: api }, body: JSON.stringify({ email: 'anna@acme.example', password: PASSWORD }) });
  const { staff, csrfToken } = (await signIn.json()) as { staff: { id: string }; csrfToken: string };
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const write = { Cookie: cookie, 'X-CSRF-Token': csrfToken, Origin: api, 'Content-Type': 'application/json' };
  const mapped = await fetch(`${api}/v1/staff/${staff.id}`, { method: 'PATCH', headers: write, body: JSON.stringify({ chaport: { mapping: 'operator', operatorId: 'op-anna' } }) });
  if (!mapped.ok) throw new Error(`mapping failed: ${await mapped.text()}`);
  await until(() => !!sandbox.state.restCalls.get('POST /api/v1/events/subscriptions'), "the server's webhook subscriptions");

  let visitorNumber = 0;
  /** Chats of new visitors, one after another; for each, how long until every desk's stream named it. */
  async function newChatsReach(desks: number): Promise<number[]> {
    const waiting = new Map<string, { startedAt: number; seen: number; done: () => void }>();
    const byVisitor = new Map<string, string>();
    const latencies: number[] = [];
    const streams = Array.from({ length: desks }, () =>
      readEvents(`${api}/v1/events`, { Cookie: cookie }, async (event, data) => {
        if (event !== 'conversation') return;
        const { conversationId, change } = JSON.parse(data) as { conversationId: string; change: string };
        if (change !== 'created') return;
        const at = performance.now();
        // Which visitor: asked once per conversation (not timed: the desk would fetch it after the event too).
        let visitor = byVisitor.get(conversationId);
        if (!visitor) {
          const detail = (await (await fetch(`${api}/v1/conversations/${conversationId}`, { headers: { Cookie: cookie } })).json()) as { visitorKey: string };
          byVisitor.set(conversationId, (visitor = detail.visitorKey));
        }
        const entry = waiting.get(visitor);
        if (!entry) return;
        latencies.push(at - entry.startedAt);
        if (++entry.seen === desks) entry.done();
      }),
    );
    await Promise.all(streams.map((stream) => stream.ready));
    for (let i = 0; i < CHATS; i++) {
      const visitorId = `bench${++visitorNumber}`;
      const reached = new Promise<void>((resolve) => waiting.set(`chaport:${visitorId}`, { startedAt: performance.now(), seen: 0, done: resolve }));
      sandbox.state.session(DEMO_APP_ID, visitorId, { url: 'https://acme.example/pricing' });
      sandbox.state.visitorMessage(DEMO_APP_ID, visitorId, `Question ${i}`);
      await reached;
    }
    streams.forEach((stream) => stream.close());
    return latencies;
  }

  /** Replies to existing chats, one after another: from sending until the visitor's window has the text. */
  async function repliesReach(send: (conversationId: string, visitorId: string, text: string) => Promise<void>): Promise<number[]> {
    const { conversations } = (await (await fetch(`${api}/v1/conversations?view=live&limit=${CHATS}`, { headers: { Cookie: cookie } })).json()) as { conversations: { id: string; visitorKey: string }[] };
    const latencies: number[] = [];
    for (const [index, conversation] of conversations.entries()) {
      const visitorId = conversation.visitorKey.replace(/^chaport:/, '');
      const text = `Answer ${index} ${Math.random()}`;
      let startedAt = 0;
      let reached!: () => void;
      const arrived = new Promise<void>((resolve) => (reached = resolve));
      const visitor = readEvents(`${sandboxServer.url}/widget/api/events?appid=${DEMO_APP_ID}&visitor=${visitorId}`, {}, (_event, data) => {
        if (data.includes(text.split(' ').pop()!)) {
          latencies.push(performance.now() - startedAt);
          reached();
        }
      });
      await visitor.ready;
      startedAt = performance.now();
      await send(conversation.id, visitorId, text);
      await arrived;
      visitor.close();
    }
    return latencies;
  }

  const oneDesk = await newChatsReach(1);
  const manyDesks = await newChatsReach(DESKS);
  const direct = await repliesReach(async (_id, visitorId, text) => {
    const response = await fetch(`${sandboxServer.url}/api/v1/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ visitorId, chatEvent: { type: 'operator-message', params: { text, operatorId: 'op-anna' } } }),
    });
    if (response.status !== 201) throw new Error(`sandbox answered ${response.status}`);
  });
  const fromDesk = await repliesReach(async (id, _visitorId, text) => {
    const response = await fetch(`${api}/v1/conversations/${id}/messages`, { method: 'POST', headers: write, body: JSON.stringify({ text }) });
    if (response.status !== 201) throw new Error(`reply answered ${response.status}: ${await response.text()}`);
  });

  const ratio = (a: number[], b: number[]) => `${(percentile(a, 50) / percentile(b, 50)).toFixed(2)}× at p50, ${(percentile(a, 99) / percentile(b, 99)).toFixed(2)}× at p99`;
  console.log(`\nDesk (SQLite, built server as its own process, Chaport sandbox webhooks; ${CHATS} chats each)`);
  console.log(line('new chat → 1 desk (baseline)', oneDesk));
  console.log(line(`new chat → each of ${DESKS} desks`, manyDesks));
  console.log(`  ${DESKS} desks vs 1: ${ratio(manyDesks, oneDesk)}; goal: every desk within 1 s — ${Math.max(...manyDesks) <= 1000 ? 'met' : 'NOT met'}`);
  console.log(line('operator → Chaport REST → visitor (baseline)', direct));
  console.log(line('desk reply → helpdesk → Chaport → visitor', fromDesk));
  console.log(`  desk vs straight into Chaport: ${ratio(fromDesk, direct)}`);
} finally {
  await server.stop();
  await sandboxServer.close();
  rmSync(dir, { recursive: true, force: true });
}
