#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_PUBLIC_WRITE_LIMITS } from './app.ts';
import { ConfigFileError } from './config/file.ts';
import { parseRateLimit } from './http/rate-limit.ts';
import { createLogger } from './log.ts';
import { startServer, type HelpdeskServer } from './server.ts';
import { backupSqlite } from './storage/sqlite/backup.ts';
import { StorageOpenError } from './storage/database.ts';
import { openDatabase } from './storage/open.ts';
import { PASSWORD_RULE, generatePassword, hashPassword, passwordAcceptable } from './staff/staff.ts';
import { listTokens, newToken } from './staff/tokens.ts';
import { currentSettings } from './settings/commands.ts';

declare const __OMNIWIDGET_VERSION__: string;

const USAGE = `Usage:
  omniwidget-server [--config widgets.json] [options]   run the helpdesk API
  omniwidget-server backup --to FILE [--db FILE]         copy the SQLite database while the server runs
  omniwidget-server token create --name NAME             an API token for the agent API, shown once
  omniwidget-server token list | token revoke --id ID    the tokens, by name and last use; revoke one
  omniwidget-server admin create --email E --name N      the first admin of the desk (password printed once,
                                                          or read from stdin with --password-stdin)
  omniwidget-server settings export [--to FILE]          the settings in force, as a configuration file

Options:
  --config FILE     a configuration file (OMNIWIDGET_CONFIG): in force whenever its content changes;
                    without one, the settings are made in the browser (/desk, Settings)
  --port N          port to listen on, 0 for any free one (PORT; default 8081)
  --host ADDRESS    address to listen on (HOST; default 127.0.0.1)
  --db FILE         the SQLite database (OMNIWIDGET_DB; default ./data/omniwidget.sqlite);
                    DATABASE_URL=postgres://… selects PostgreSQL instead, for several instances
  --script FILE     the script-tag bundle served at /omniwidget.js (OMNIWIDGET_SCRIPT)
  --trust-proxy     behind a reverse proxy: the client address is the last in X-Forwarded-For
  --help            this text

Environment: OMNIWIDGET_PRESENCE_REFRESH_SECONDS (15), OMNIWIDGET_RATE_LIMIT_PER_IP (30/600),
OMNIWIDGET_RATE_LIMIT_PER_WIDGET (600/600), OMNIWIDGET_JOB_LEASE_SECONDS (60: how soon another instance takes
over the job of one that died), OMNIWIDGET_JOB_CONCURRENCY (4: background jobs at once per instance), and the
secrets the configuration names (Chaport token, webhook secrets).
Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT drain and stop.`;

/** Every bad start ends here: one line on stderr, exit code 2, no stack trace. */
function fail(message: string): never {
  process.stderr.write(`omniwidget-server: ${message}\n`);
  process.exit(2);
}

function port(value: string, name: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) fail(`${name} must be a port number from 0 to 65535, not "${value}"`);
  return Number(value);
}

function positive(value: string, name: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) fail(`${name} must be a positive number, not "${value}"`);
  return Number(value);
}

function listenError(error: NodeJS.ErrnoException, host: string, portNumber: number): string {
  const where = `${host}:${portNumber}`;
  if (error.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use (another omniwidget-server?)`;
  if (error.code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return `cannot listen on ${where}: no such address on this machine`;
  return `cannot listen on ${where}: ${error.message}`;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        script: { type: 'string' },
        to: { type: 'string' },
        name: { type: 'string' },
        id: { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        email: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message.replace(/\. To specify.*$/s, '').replace(/^Unknown option/, 'unknown option')} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const env = process.env;
  const dbFile = values.db ?? env.OMNIWIDGET_DB ?? './data/omniwidget.sqlite';

  if (positionals[0] === 'backup') {
    if (!values.to) fail('backup needs --to FILE');
    try {
      const { pages } = await backupSqlite(dbFile, values.to);
      process.stdout.write(`backed up ${dbFile} to ${values.to} (${pages} pages)\n`);
    } catch (error) {
      fail((error as Error).message);
    }
    return;
  }
  if (positionals[0] === 'token') return tokenCommand(positionals[1], values, { url: env.DATABASE_URL || undefined, file: dbFile });
  if (positionals[0] === 'admin') return adminCommand(positionals[1], values, { url: env.DATABASE_URL || undefined, file: dbFile });
  if (positionals.length) fail(`unknown command "${positionals[0]}" (see --help)`);

  if (positionals[0] === 'settings') return settingsCommand(positionals[1], values, { url: env.DATABASE_URL || undefined, file: dbFile });
  const configPath = values.config || env.OMNIWIDGET_CONFIG || undefined;
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const portNumber = port(values.port ?? env.PORT ?? '8081', values.port !== undefined ? '--port' : 'PORT');
  const refreshSeconds = positive(env.OMNIWIDGET_PRESENCE_REFRESH_SECONDS ?? '15', 'OMNIWIDGET_PRESENCE_REFRESH_SECONDS');
  const leaseSeconds = positive(env.OMNIWIDGET_JOB_LEASE_SECONDS ?? '60', 'OMNIWIDGET_JOB_LEASE_SECONDS');
  const jobConcurrency = positive(env.OMNIWIDGET_JOB_CONCURRENCY ?? '4', 'OMNIWIDGET_JOB_CONCURRENCY');
  let limits;
  try {
    limits = {
      perIp: env.OMNIWIDGET_RATE_LIMIT_PER_IP ? parseRateLimit(env.OMNIWIDGET_RATE_LIMIT_PER_IP, 'OMNIWIDGET_RATE_LIMIT_PER_IP') : DEFAULT_PUBLIC_WRITE_LIMITS.perIp,
      perWidget: env.OMNIWIDGET_RATE_LIMIT_PER_WIDGET
        ? parseRateLimit(env.OMNIWIDGET_RATE_LIMIT_PER_WIDGET, 'OMNIWIDGET_RATE_LIMIT_PER_WIDGET')
        : DEFAULT_PUBLIC_WRITE_LIMITS.perWidget,
    };
  } catch (error) {
    fail((error as Error).message);
  }

  const log = createLogger();
  let server: HelpdeskServer | undefined;
  // Handlers first: a signal during the start must not find Node's default (die without draining).
  process.on('SIGHUP', () => void server?.reload());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping || !server) process.exit(server ? 1 : 0); // a second signal, or nothing started yet: stop now
    stopping = true;
    log.info('server.signal', { signal });
    server.drain().then(
      () => process.exit(0),
      (error: Error) => {
        log.error('server.drain_failed', { error: error.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    server = await startServer({
      configPath,
      database: { url: env.DATABASE_URL || undefined, file: dbFile },
      host,
      port: portNumber,
      presence: { refreshMs: refreshSeconds * 1000 },
      jobs: { leaseMs: leaseSeconds * 1000, concurrency: Math.floor(jobConcurrency) },
      limits,
      trustProxy: values['trust-proxy'] ?? false,
      // Built layout: dist/server/cli.js beside dist/omniwidget.js.
      scriptPath: values.script ?? env.OMNIWIDGET_SCRIPT ?? fileURLToPath(new URL('../omniwidget.js', import.meta.url)),
      deskDir: fileURLToPath(new URL('../desk', import.meta.url)),
      version: typeof __OMNIWIDGET_VERSION__ === 'string' ? __OMNIWIDGET_VERSION__ : 'dev',
      log,
    });
  } catch (error) {
    if (error instanceof ConfigFileError || error instanceof StorageOpenError) fail(error.message);
    if ((error as NodeJS.ErrnoException).syscall === 'listen') fail(listenError(error as NodeJS.ErrnoException, host, portNumber));
    fail(`could not start: ${(error as Error).message}`);
  }
  // A token Chaport refuses is a configuration error like any other; Chaport being unreachable is not.
  const token = await server.chaport.checkToken();
  if (!token.ok && token.refused) {
    await server.drain(0);
    fail(`Chaport refused the API token (${token.error}): check the variable named by helpdesk.chaport.apiTokenEnv`);
  }
  if (!token.ok) log.warn('chaport.unreachable_at_start', { error: token.error });
  // Past the start, a crash is logged in one line and the process manager restarts us; nothing acknowledged is lost.
  process.on('uncaughtException', (error) => {
    log.error('process.crashed', { error: error.message });
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    log.error('process.crashed', { error: (error as Error)?.message ?? String(error) });
    process.exit(1);
  });
}

/** The database, while the server may be running: SQLite's instance lock would refuse a second process, so the command gets a connection of its own. */
async function openBesideServer(database: { url?: string | undefined; file?: string | undefined }) {
  try {
    return await openDatabase({ ...database, shareFile: true });
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** `token create|list|revoke`: API tokens, straight in the database (the server may be running). */
async function tokenCommand(action: string | undefined, values: { name?: string | undefined; id?: string | undefined }, database: { url?: string | undefined; file?: string | undefined }): Promise<void> {
  if (!['create', 'list', 'revoke'].includes(action ?? '')) fail('token needs create, list or revoke (see --help)');
  if (action === 'create' && !values.name) fail('token create needs --name NAME (who or what will use it)');
  if (action === 'revoke' && !values.id) fail('token revoke needs --id ID (see token list)');
  const db = await openBesideServer(database);
  try {
    if (action === 'create') {
      const { token, hash, id } = newToken();
      const info = await db.write('tokens.create', { id, name: values.name!, hash });
      process.stdout.write(`${token}\n`);
      process.stderr.write(`Token ${info.id} "${info.name}" created. It is shown only now: keep it somewhere safe.\n`);
    } else if (action === 'list') {
      for (const info of await db.read((q) => listTokens(q)))
        process.stdout.write(`${info.id}\t${info.name}\tcreated ${info.createdAt}\tlast used ${info.lastUsedAt ?? 'never'}${info.revokedAt ? `\trevoked ${info.revokedAt}` : ''}\n`);
    } else if (!(await db.write('tokens.revoke', { id: values.id! }))) fail(`no active token ${values.id}`);
    else process.stdout.write(`revoked ${values.id}\n`);
  } finally {
    await db.close();
  }
}

/** `settings export`: the settings in force, as a configuration file (for git, or another server). */
async function settingsCommand(action: string | undefined, values: { to?: string | undefined }, database: { url?: string | undefined; file?: string | undefined }): Promise<void> {
  if (action !== 'export') fail('settings needs export (see --help)');
  const db = await openBesideServer(database);
  try {
    const row = await db.read((q) => currentSettings(q));
    if (!row) fail('no settings saved yet');
    const text = `${JSON.stringify(JSON.parse(row.document), null, 2)}\n`;
    if (values.to) {
      writeFileSync(values.to, text);
      process.stderr.write(`Settings version ${row.id} written to ${values.to}\n`);
    } else process.stdout.write(text);
  } finally {
    await db.close();
  }
}

/** `admin create`: the first admin (the rest are added in the settings or the API). */
async function adminCommand(action: string | undefined, values: { email?: string | undefined; name?: string | undefined; 'password-stdin'?: boolean | undefined }, database: { url?: string | undefined; file?: string | undefined }): Promise<void> {
  if (action !== 'create') fail('admin needs create (see --help)');
  if (!values.email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) fail('admin create needs --email ADDRESS');
  if (!values.name?.trim()) fail('admin create needs --name NAME');
  let password = generatePassword();
  if (values['password-stdin']) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!passwordAcceptable(password)) fail(`the password ${PASSWORD_RULE}`);
  }
  const db = await openBesideServer(database);
  try {
    const created = await db.write('staff.create', {
      email: values.email,
      name: values.name,
      role: 'admin',
      groups: [],
      channels: ['online_chat', 'email'],
      passwordHash: await hashPassword(password),
      chaport: { mapping: 'create', operatorId: null },
    });
    if (!values['password-stdin']) process.stdout.write(`${password}\n`);
    process.stderr.write(`Admin ${created.email} created${values['password-stdin'] ? '' : '. The password above is shown only now'}: sign in at /desk.\n`);
  } catch (error) {
    fail((error as Error).message);
  } finally {
    await db.close();
  }
}

void main(process.argv.slice(2));
