import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChaportSandbox, type ChaportSandbox } from '../../demo/chaport-sandbox/app.ts';
import { DEMO_APP_ID, DEMO_TOKEN, defaultAccounts } from '../../demo/stack.ts';
import { listen, type RunningServer } from '../../src/server/http/listen.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { hashPassword } from '../../src/server/staff/staff.ts';
import { openDatabase } from '../../src/server/storage/open.ts';

/**
 * Three instances of the built server (`node dist/server/cli.js`) on one real PostgreSQL database, behind a
 * round-robin proxy standing in for the load balancer, with the Chaport sandbox upstream. Shown here:
 * - presence costs Chaport at most one call per refresh interval in total, however many instances answer polls;
 * - background work (webhook processing, outbound deliveries, idle completion) happens exactly once, and survives
 *   `kill -9` of the instance doing it.
 */

const SECRET = `whsec_${Buffer.from('cluster test signing secret').toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'omniwidget-cluster-'));
let database: { url: string; drop(): Promise<void> };
let sandbox: ChaportSandbox;
let sandboxServer: RunningServer;
let proxy: Server;
let proxyUrl = '';
let receiver: Server;
const delivered: { id: string; type: string; visitor: string | null }[] = [];

interface Instance {
  child: ChildProcess;
  url: string;
  pid: number;
  alive: boolean;
  exited: Promise<unknown>;
}
const instances: Instance[] = [];

function startInstance(config: string): Promise<Instance> {
  const child = spawn(process.execPath, ['dist/server/cli.js', '--config', config, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      CHAPORT_API_TOKEN: DEMO_TOKEN,
      CRM_SECRET: SECRET,
      OMNIWIDGET_PRESENCE_REFRESH_SECONDS: '1',
      // A dead instance's jobs go to another after this: short, for the test.
      OMNIWIDGET_JOB_LEASE_SECONDS: '3',
      OMNIWIDGET_RATE_LIMIT_PER_IP: '1000000/60',
    },
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const url = /"event":"server.listening","url":"(http:[^"]+)"/.exec(output)?.[1];
      if (url && !instances.some((item) => item.child === child)) {
        const instance = { child, url, pid: child.pid!, alive: true, exited };
        instances.push(instance);
        resolve(instance);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    void exited.then((code) => reject(new Error(`instance exited with ${code}: ${output}`)));
  });
}

beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'), 'cluster');
  sandbox = createChaportSandbox(defaultAccounts());
  sandboxServer = await listen(sandbox.app, { limits: { maxConnectionsPerIp: 0 } });

  // The load balancer: each request to the next live instance.
  let next = 0;
  proxy = createServer((incoming, outgoing) => {
    const live = instances.filter((instance) => instance.alive);
    const target = new URL(live[next++ % live.length]!.url);
    const forward = request({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  receiver = createServer((incoming, outgoing) => {
    let body = '';
    incoming.on('data', (chunk) => (body += chunk));
    incoming.on('end', () => {
      const payload = JSON.parse(body) as { type: string; data: { conversation?: { visitor?: { chaportVisitorId?: string } } } };
      delivered.push({ id: String(incoming.headers['webhook-id']), type: payload.type, visitor: payload.data.conversation?.visitor?.chaportVisitorId ?? null });
      outgoing.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  const config = join(dir, 'widgets.json');
  writeFileSync(
    config,
    JSON.stringify({
      widgets: [{ id: 'acme', allowedOrigins: ['*'], presence: { pollSeconds: 2 }, channels: [{ id: 'chat', type: 'chaport', appId: DEMO_APP_ID, apiUrl: `${sandboxServer.url}/api/v1`, display: 'hideWhenOffline' }] }],
      helpdesk: {
        publicUrl: proxyUrl,
        chaport: { apiUrl: `${sandboxServer.url}/api/v1`, reconcileMinutes: 1440 },
        webhooks: [{ id: 'crm', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, secretEnv: 'CRM_SECRET' }],
      },
    }),
  );
  await Promise.all([startInstance(config), startInstance(config), startInstance(config)]);
}, 60_000);

afterAll(async () => {
  for (const instance of instances) instance.child.kill('SIGKILL');
  await Promise.all(instances.map((instance) => instance.exited));
  await new Promise((resolve) => proxy?.close(resolve));
  await new Promise((resolve) => receiver?.close(resolve));
  await sandboxServer?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
};

describe('three instances on one PostgreSQL database', () => {
  it('make at most one Chaport presence call per refresh interval between them', async () => {
    const calls = () => sandbox.state.restCalls.get('GET /api/v1/operators') ?? 0;
    const before = calls();
    const started = Date.now();
    // Every instance is polled, many times a second, for four seconds.
    while (Date.now() - started < 4000) {
      await Promise.all(instances.flatMap((instance) => Array.from({ length: 5 }, () => fetch(`${instance.url}/v1/widgets/acme/presence`).then((response) => response.arrayBuffer()))));
    }
    const seconds = (Date.now() - started) / 1000;
    expect(calls() - before).toBeGreaterThanOrEqual(2);
    expect(calls() - before).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
  });

  it('process every webhook exactly once, even when the instance doing it is killed outright', async () => {
    await expect.poll(async () => (await query<{ n: string }>("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'chaport.connect' AND last_error IS NULL AND attempts = 0")).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(async () => (await (await fetch(`${sandboxServer.url}/api/v1/events/subscriptions`, { headers: { Authorization: `Bearer ${DEMO_TOKEN}` } })).json()).result.length, { timeout: 20_000 }).toBe(4);

    // Chaport answers slowly, so jobs are in flight when an instance dies.
    sandbox.controls.restDelayMs = 400;
    const VISITORS = 12;
    for (let i = 0; i < VISITORS; i++) {
      sandbox.state.session(DEMO_APP_ID, `cluster-${i}`, { url: 'https://acme.example/' });
      sandbox.state.visitorMessage(DEMO_APP_ID, `cluster-${i}`, `first from ${i}`);
      sandbox.state.visitorMessage(DEMO_APP_ID, `cluster-${i}`, `second from ${i}`);
    }
    await sandbox.webhooksSettled();

    // Kill -9 whichever instance holds a lease right now, in the middle of its jobs.
    let victim: Instance | undefined;
    let held: string[] = [];
    await expect.poll(async () => {
      const leases = await query<{ id: string; locked_by: string }>("SELECT id, locked_by FROM jobs WHERE kind = 'chaport.sync' AND locked_until > $1", [Date.now()]);
      victim = instances.find((instance) => instance.alive && leases.some((row) => row.locked_by.includes(`-${instance.pid}-`)));
      held = leases.filter((row) => victim && row.locked_by.includes(`-${victim.pid}-`)).map((row) => row.id);
      return victim !== undefined;
    }, { timeout: 10_000, interval: 20 }).toBe(true);
    victim!.child.kill('SIGKILL');
    victim!.alive = false;
    await victim!.exited;
    sandbox.controls.restDelayMs = 0;
    // The jobs it held run again elsewhere once their lease runs out, and are done.
    expect(held.length).toBeGreaterThan(0);
    await expect.poll(async () => (await query('SELECT id FROM jobs WHERE id = ANY($1)', [held])).length, { timeout: 30_000 }).toBe(0);

    await expect.poll(async () => Number((await query<{ n: string }>('SELECT COUNT(*) AS n FROM conversation_messages'))[0]!.n), { timeout: 30_000 }).toBe(VISITORS * 2);
    const perVisitor = await query<{ visitor_key: string; n: string }>('SELECT visitor_key, COUNT(*) AS n FROM conversations GROUP BY visitor_key');
    expect(perVisitor).toHaveLength(VISITORS);
    expect(perVisitor.every((row) => Number(row.n) === 1)).toBe(true);
    expect(await query("SELECT id FROM jobs WHERE state = 'dead'")).toEqual([]);

    // Outbound: one delivery per event, each sent until accepted; repeats (if any) carry the same webhook-id.
    const deliveries = await query<{ id: string; event: string }>('SELECT id, event FROM webhook_deliveries');
    expect(deliveries.filter((row) => row.event === 'conversation.created')).toHaveLength(VISITORS);
    expect(deliveries.filter((row) => row.event === 'message.created')).toHaveLength(VISITORS * 2);
    await expect.poll(() => new Set(delivered.map((item) => item.id)).size, { timeout: 30_000 }).toBe(deliveries.length);
    expect(new Set(delivered.map((item) => item.id))).toEqual(new Set(deliveries.map((row) => row.id)));
  });

  it('complete idle chats exactly once between them', async () => {
    // Make every live chat overdue, then let the periodic sweep (on whichever instance) do its work.
    await query("UPDATE conversations SET live_until = $1 WHERE phase = 'live'", [Date.now() - 1000]);
    await query("UPDATE jobs SET run_at = $1 WHERE kind = 'conversations.idle'", [Date.now()]);
    await expect.poll(async () => Number((await query<{ n: string }>("SELECT COUNT(*) AS n FROM conversations WHERE completed_by = 'idle'"))[0]!.n), { timeout: 20_000 }).toBe(12);
    const completed = await query<{ id: string }>("SELECT id FROM webhook_deliveries WHERE event = 'conversation.completed'");
    expect(completed).toHaveLength(12);
    await expect.poll(() => delivered.filter((item) => item.type === 'conversation.completed').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(12);
    expect(new Set(delivered.filter((item) => item.type === 'conversation.completed').map((item) => item.visitor)).size).toBe(12);
    // And Chaport's chats were each closed once.
    await expect.poll(() => sandbox.state.visitors(DEMO_APP_ID).filter((visitor) => visitor.id.startsWith('cluster-')).every((visitor) => sandbox.state.chatsOf(DEMO_APP_ID, visitor.id).every((chat) => chat.stage === 'closed')), { timeout: 20_000 }).toBe(true);
  });

  it('agree on the settings: the file is imported once, and a change saved on one instance is served by all', async () => {
    expect(await query("SELECT id FROM settings_versions WHERE source = 'file'")).toHaveLength(1);
    const db = await openDatabase({ url: database.url });
    try {
      await db.write('staff.create', { email: 'owner@acme.example', name: 'Owner', role: 'admin', groups: [], channels: [], passwordHash: await hashPassword('owner password 1'), chaport: { mapping: 'none', operatorId: null } });
    } finally {
      await db.close();
    }
    const signIn = await fetch(`${proxyUrl}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'owner@acme.example', password: 'owner password 1' }) });
    const session = { Cookie: signIn.headers.get('set-cookie')!.split(';')[0]!, 'X-CSRF-Token': ((await signIn.json()) as { csrfToken: string }).csrfToken, 'Content-Type': 'application/json' };
    const { version, document } = (await (await fetch(`${proxyUrl}/v1/settings`, { headers: session })).json()) as { version: number; document: { widgets: { theme?: unknown }[] } };
    document.widgets[0]!.theme = { color: '#8250df' };
    const saved = await fetch(`${proxyUrl}/v1/settings`, { method: 'PUT', headers: session, body: JSON.stringify({ document, baseVersion: version }) });
    expect(saved.status).toBe(200);
    for (const instance of instances.filter((item) => item.alive))
      await expect.poll(async () => ((await (await fetch(`${instance.url}/v1/widgets/acme/config`)).json()) as { theme: { color: string } }).theme.color, { timeout: 10_000 }).toBe('#8250df');
  });
});
