import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { countMessages, listMessages } from '../../src/server/messages/commands.ts';
import { createChaportSandbox } from '../../demo/chaport-sandbox/app.ts';
import { DEMO_APP_ID, DEMO_TOKEN, defaultAccounts } from '../../demo/stack.ts';
import { listen } from '../../src/server/http/listen.ts';
import { openDatabase } from '../../src/server/storage/open.ts';
import { hashPassword } from '../../src/server/staff/staff.ts';
import { BACKENDS, testDatabase, type TestDatabaseTarget } from '../support/databases.ts';

/** The built server's command line, as deployed: `node dist/server/cli.js --config widgets.json`. */
const CLI = 'dist/server/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'omniwidget-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const widgetsFile = (ids: string[]) => JSON.stringify({ widgets: ids.map((id) => ({ id, allowedOrigins: ['https://acme.example'], channels: [{ id: 'mail', type: 'email' }] })) });
const config = join(dir, 'widgets.json');
writeFileSync(config, widgetsFile(['acme']));

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

const start = (args: string[], env: Record<string, string> = {}) => startWith(config, args, env);

function startWith(configFile: string, args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [CLI, '--config', configFile, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
      if (url) {
        const server = { child, url, output: () => output, exited };
        running.push(server);
        resolve(server);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

/** A bad start: exactly one line on stderr, exit code 2, no stack trace. */
function refuses(args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^omniwidget-server: [^\n]+\n$/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result.stderr.replace(/^omniwidget-server: /, '').trimEnd();
}

const post = (url: string, key: string, message = `durable ${key}`) =>
  fetch(`${url}/v1/widgets/acme/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: 'https://acme.example', 'Idempotency-Key': key },
    body: JSON.stringify({ email: 'ann@example.com', message }),
  });

describe('omniwidget-server: every bad start is one line and exit code 2', () => {
  it('a bad configuration names the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ widgets: [{ id: 'acme', allowedOrigins: [], channels: [{ id: 'wa', type: 'whatsapp', phone: '8 800' }] }] }));
    const result = spawnSync(process.execPath, [CLI, '--config', bad, '--port', '0'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`omniwidget-server: Invalid configuration file ${bad}:\nwidgets[0].channels[0].phone: must be an international number such as +79990001122\n`);
  });

  it('flags, ports and limits that make no sense', () => {
    expect(refuses(['--config', config, '--port', 'abc'])).toBe('--port must be a port number from 0 to 65535, not "abc"');
    expect(refuses(['--config', config, '--port', '70000'])).toBe('--port must be a port number from 0 to 65535, not "70000"');
    expect(refuses(['--config', config, '--bogus'])).toBe("unknown option '--bogus' (see --help)");
    expect(refuses(['--config', config, 'serve'])).toBe('unknown command "serve" (see --help)');
    expect(refuses(['--config', config], { OMNIWIDGET_RATE_LIMIT_PER_IP: 'lots' })).toBe('OMNIWIDGET_RATE_LIMIT_PER_IP must look like 30/600 (requests/seconds), not "lots"');
  });

  it('a file that is not a database, a PostgreSQL server that is not there, a port in use, a database in use', async () => {
    const notDb = join(dir, 'not-a-db.sqlite');
    writeFileSync(notDb, 'just text, not SQLite '.repeat(100));
    expect(refuses(['--config', config, '--db', notDb])).toBe(`cannot open ${notDb}: it is not a SQLite database`);
    expect(refuses(['--config', config], { DATABASE_URL: 'postgres://omni:hunter2@127.0.0.1:1/omni' })).toMatch(
      /^cannot use PostgreSQL at postgres:\/\/omni:\*\*\*@127\.0\.0\.1:1\/omni: connect ECONNREFUSED/,
    );

    const database = join(dir, 'in-use.sqlite');
    const first = await start(['--db', database]);
    const { port } = new URL(first.url);
    expect(refuses(['--config', config, '--db', join(dir, 'other.sqlite'), '--port', port])).toBe(
      `cannot listen on 127.0.0.1:${port}: the port is already in use (another omniwidget-server?)`,
    );
    expect(refuses(['--config', config, '--db', database])).toMatch(/in-use\.sqlite is in use by another omniwidget-server process/);
  });
});

describe('omniwidget-server: operating it', () => {
  it('reloads the configuration on SIGHUP without a restart, and keeps the old one if the new is invalid', async () => {
    writeFileSync(config, widgetsFile(['acme']));
    const server = await start(['--db', join(dir, 'reload.sqlite')]);
    expect((await fetch(`${server.url}/v1/widgets/beta/config`)).status).toBe(404);
    writeFileSync(config, widgetsFile(['acme', 'beta']));
    server.child.kill('SIGHUP');
    await expect.poll(async () => (await fetch(`${server.url}/v1/widgets/beta/config`)).status).toBe(200);
    writeFileSync(config, '{"widgets": [ not json');
    server.child.kill('SIGHUP');
    await expect.poll(() => server.output()).toMatch(/"event":"config.reload_failed"/);
    expect((await fetch(`${server.url}/v1/widgets/beta/config`)).status).toBe(200);
    writeFileSync(config, widgetsFile(['acme']));
  });

  it('drains on SIGTERM: a request in flight is answered and stored, then the process exits 0', async () => {
    const database = join(dir, 'drain.sqlite');
    const server = await start(['--db', database]);
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    let response = '';
    socket.on('data', (chunk) => (response += chunk));
    const body = JSON.stringify({ email: 'ann@example.com', message: 'sent while the server stops' });
    const head = `POST /v1/widgets/acme/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: drain-key-1\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    await new Promise<void>((resolve) => socket.write(head + body.slice(0, 10), () => resolve()));
    server.child.kill('SIGTERM');
    await expect.poll(() => server.output()).toMatch(/"event":"server.draining"/);
    socket.write(body.slice(10));
    expect(await server.exited).toBe(0);
    expect(response).toMatch(/^HTTP\/1\.1 201/);
    const db = await openDatabase({ file: database });
    expect((await db.read((q) => listMessages(q, 'acme'))).map((m) => m.message)).toEqual(['sent while the server stops']);
    await db.close();
  });

  it('makes API tokens from the command line while the server runs: shown once, listed by name, revocable', async () => {
    const database = join(dir, 'tokens.sqlite');
    const server = await start(['--db', database]);
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--db', database], { encoding: 'utf8' });
    const created = cli('token', 'create', '--name', 'CRM sync');
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^owt_[\w-]{43}$/);
    expect(created.stderr).toMatch(/^Token tok_\w+ "CRM sync" created\. It is shown only now/);
    const authorized = (value: string) => fetch(`${server.url}/v1/conversations`, { headers: { Authorization: `Bearer ${value}` } }).then((response) => response.status);
    expect(await authorized(token)).toBe(200);
    const listed = cli('token', 'list');
    expect(listed.stdout).toMatch(/^tok_\w+\tCRM sync\tcreated \S+\tlast used /);
    expect(listed.stdout).not.toContain(token);
    const id = listed.stdout.split('\t')[0]!;
    expect(cli('token', 'revoke', '--id', id).stdout).toBe(`revoked ${id}\n`);
    expect(refuses(['token', 'create', '--db', database])).toBe('token create needs --name NAME (who or what will use it)');
  });

  it('backs up the SQLite database while the server runs, into a file the server can open', async () => {
    const database = join(dir, 'live.sqlite');
    const server = await start(['--db', database]);
    for (let i = 0; i < 3; i++) expect((await post(server.url, `backup-key-${i}`)).status).toBe(201);
    const copy = join(dir, 'copy.sqlite');
    const result = spawnSync(process.execPath, [CLI, 'backup', '--db', database, '--to', copy], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^backed up .*live\.sqlite to .*copy\.sqlite \(\d+ pages\)\n$/);
    expect(refuses(['backup', '--db', database, '--to', copy])).toMatch(/copy\.sqlite exists already/);
    const restored = await openDatabase({ file: copy });
    expect(await restored.read((q) => countMessages(q, 'acme'))).toBe(3);
    await restored.close();
  });
});

describe.each(BACKENDS)('omniwidget-server on %s', (backend) => {
  let target: TestDatabaseTarget;
  afterEach(async () => {
    await target?.remove();
  });

  it('loses nothing it confirmed when killed outright (SIGKILL) and restarted', async () => {
    target = await testDatabase(backend);
    const args = backend === 'sqlite' ? ['--db', target.options.file!] : [];
    const env: Record<string, string> = { OMNIWIDGET_RATE_LIMIT_PER_IP: '1000/60', ...(backend === 'postgres' ? { DATABASE_URL: target.options.url! } : {}) };
    const first = await start(args, env);
    // Many at once, so the writer commits them in shared batches; then kill while more are in flight.
    const confirmed = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const response = await post(first.url, `crash-key-${i}`);
      expect(response.status).toBe(201);
      return (await response.json()).id as string;
    }));
    const inFlight = Array.from({ length: 40 }, (_, i) => post(first.url, `late-key-${i}`).then(async (response) => (response.status === 201 ? ((await response.json()).id as string) : null), () => null));
    first.child.kill('SIGKILL');
    await first.exited;
    const lateConfirmed = (await Promise.all(inFlight)).filter((id): id is string => id !== null);
    running.splice(running.indexOf(first), 1);

    const second = await start(args, env);
    // A retry after the crash is recognised: same id, nothing written twice.
    expect(await (await post(second.url, 'crash-key-4')).json()).toEqual({ id: confirmed[4] });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const db = await target.open();
    const stored = new Set((await db.read((q) => listMessages(q, 'acme', 1000))).map((message) => message.id));
    await db.close();
    for (const id of [...confirmed, ...lateConfirmed]) expect(stored.has(id)).toBe(true);
  });
});

describe('omniwidget-server and Chaport webhooks', () => {
  it('loses no acknowledged webhook when killed outright: the work is done after the restart', async () => {
    const sandbox = createChaportSandbox(defaultAccounts());
    const upstream = await listen(sandbox.app, { limits: { maxConnectionsPerIp: 0 } });
    const hooked = join(dir, 'hooked.json');
    writeFileSync(hooked, JSON.stringify({ widgets: [{ id: 'acme', allowedOrigins: ['*'], channels: [{ id: 'mail', type: 'email' }] }], helpdesk: { publicUrl: 'http://127.0.0.1:1', chaport: { apiUrl: `${upstream.url}/api/v1`, reconcileMinutes: 1440 } } }));
    const database = join(dir, 'hooked.sqlite');
    const env = { CHAPORT_API_TOKEN: DEMO_TOKEN };
    try {
      const first = await startWith(hooked, ['--db', database], env);
      await expect.poll(() => sandbox.state.restCalls.get('POST /api/v1/events/subscriptions') ?? 0, { timeout: 10_000 }).toBe(4);
      const secret = /webhooks\/([0-9a-f]{64})\//.exec(JSON.stringify((await (await fetch(`${upstream.url}/api/v1/events/subscriptions`, { headers: { Authorization: `Bearer ${DEMO_TOKEN}` } })).json()).result))![1];
      // Chaport's REST API is down: every webhook is stored and acknowledged, none can be processed yet.
      sandbox.controls.restFailure = 503;
      for (let i = 0; i < 10; i++) {
        sandbox.state.visitorMessage(DEMO_APP_ID, `crash-${i}`, `message ${i}`);
        const response = await fetch(`${first.url}/v1/chaport/webhooks/${secret}/chat.newEvent.visitorMessage`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ link: '', extras: { visitorId: `crash-${i}` } }) });
        expect(response.status).toBe(202);
      }
      first.child.kill('SIGKILL');
      await first.exited;
      running.splice(running.indexOf(first), 1);
      sandbox.controls.restFailure = null;
      const second = await startWith(hooked, ['--db', database], env);
      const count = async () => {
        const db = await openDatabase({ file: database, shareFile: true });
        try {
          return await db.read(async (q) => Number((await q.get<{ n: number }>("SELECT COUNT(*) AS n FROM conversations WHERE channel = 'online_chat'"))!.n));
        } finally {
          await db.close();
        }
      };
      await expect.poll(count, { timeout: 30_000, interval: 500 }).toBe(10);
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      await upstream.close();
    }
  }, 60_000);
});

describe('omniwidget-server and agent replies', () => {
  it("sends a reply accepted before a kill -9 after the restart, exactly once, as the agent's operator", async () => {
    const sandbox = createChaportSandbox(defaultAccounts());
    const upstream = await listen(sandbox.app, { limits: { maxConnectionsPerIp: 0 } });
    const replies = join(dir, 'replies.json');
    writeFileSync(replies, JSON.stringify({ widgets: [{ id: 'acme', allowedOrigins: ['*'], channels: [{ id: 'mail', type: 'email' }] }], helpdesk: { publicUrl: 'http://127.0.0.1:1', chaport: { apiUrl: `${upstream.url}/api/v1`, reconcileMinutes: 1440 } } }));
    const database = join(dir, 'replies.sqlite');
    const env = { CHAPORT_API_TOKEN: DEMO_TOKEN };
    const password = 'a reply test password';
    const seed = await openDatabase({ file: database });
    await seed.write('staff.create', { email: 'anna@acme.example', name: 'Anna', role: 'agent', groups: [], channels: ['online_chat'], passwordHash: await hashPassword(password), chaport: { mapping: 'operator', operatorId: 'op-anna' } });
    await seed.close();
    const operatorMessages = () => sandbox.state.chatsOf(DEMO_APP_ID, 'replied').flatMap((chat) => chat.events).filter((event) => event.type === 'operator-message');
    try {
      const first = await startWith(replies, ['--db', database], env);
      await expect.poll(() => sandbox.state.restCalls.get('POST /api/v1/events/subscriptions') ?? 0, { timeout: 10_000 }).toBe(4);
      const secret = /webhooks\/([0-9a-f]{64})\//.exec(JSON.stringify((await (await fetch(`${upstream.url}/api/v1/events/subscriptions`, { headers: { Authorization: `Bearer ${DEMO_TOKEN}` } })).json()).result))![1];
      sandbox.state.visitorMessage(DEMO_APP_ID, 'replied', 'Is anyone there?');
      await fetch(`${first.url}/v1/chaport/webhooks/${secret}/chat.newEvent.visitorMessage`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ link: '', extras: { visitorId: 'replied' } }) });
      const signIn = await fetch(`${first.url}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'anna@acme.example', password }) });
      const session = { Cookie: signIn.headers.get('set-cookie')!.split(';')[0]!, 'X-CSRF-Token': ((await signIn.json()) as { csrfToken: string }).csrfToken };
      const live = async (url: string) => ((await (await fetch(`${url}/v1/conversations?view=live`, { headers: session })).json()) as { conversations: { id: string }[] }).conversations;
      await expect.poll(async () => (await live(first.url)).length, { timeout: 10_000 }).toBe(1);
      const [conversation] = await live(first.url);
      // Chaport is down: the reply is stored and shown as sending, and cannot go out yet.
      sandbox.controls.restFailure = 503;
      const reply = await fetch(`${first.url}/v1/conversations/${conversation!.id}/messages`, { method: 'POST', headers: { ...session, 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'Yes — here to help.' }) });
      expect(reply.status).toBe(201);
      const { id } = (await reply.json()) as { id: string };
      await expect.poll(() => first.output().includes('chaport.sendReply'), { timeout: 10_000 }).toBe(true);
      first.child.kill('SIGKILL');
      await first.exited;
      running.splice(running.indexOf(first), 1);
      sandbox.controls.restFailure = null;

      const second = await startWith(replies, ['--db', database], env);
      await expect.poll(() => operatorMessages().length, { timeout: 30_000, interval: 200 }).toBe(1);
      expect(operatorMessages()[0]).toMatchObject({ params: { text: 'Yes — here to help.', operatorId: 'op-anna' } });
      const delivery = async () => ((await (await fetch(`${second.url}/v1/conversations/${conversation!.id}`, { headers: session })).json()) as { messages: { id: string; delivery: string | null }[] }).messages.find((message) => message.id === id)?.delivery;
      await expect.poll(delivery, { timeout: 10_000 }).toBe('sent');
      expect(operatorMessages()).toHaveLength(1);
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      await upstream.close();
    }
  }, 60_000);
});

it('starts over the lock directory a crashed 0.1 server (WASM SQLite) left behind', async () => {
  const database = join(dir, 'legacy.sqlite');
  mkdirSync(`${database}.lock`);
  const server = await start(['--db', database]);
  expect((await post(server.url, 'legacy-key-1')).status).toBe(201);
  expect(statSync(`${database}.lock`).isFile()).toBe(true);
});
