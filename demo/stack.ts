import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import type { PublicWriteLimits } from '../src/server/app.ts';
import type { ConfigSource } from '../src/server/config/source.ts';
import { listen } from '../src/server/http/listen.ts';
import { silentLogger, type Logger } from '../src/server/log.ts';
import type { Conversation } from '../src/contract/helpdesk.ts';
import { getConversation, listConversations } from '../src/server/conversations/queries.ts';
import type { PresenceOptions, PresenceService } from '../src/server/presence/service.ts';
import { createHelpdesk, type Helpdesk, type HelpdeskOptions } from '../src/server/server.ts';
import type { AppDatabase } from '../src/server/storage/open.ts';
import { createChaportSandbox, type ChaportSandbox } from './chaport-sandbox/app.ts';
import type { AccountSeed } from './chaport-sandbox/state.ts';

/**
 * The whole product on localhost, in three origins like in real life: the site (acme.example), the helpdesk API
 * serving omniwidget.js (help.acme.com), and the Chaport sandbox (app.chaport.com). Used by `npm start` and by
 * the browser tests, so what is tested is what is demonstrated.
 */

export const DEMO_APP_ID = '5c1f0e0d0c0b0a0908070605';
export const DEMO_TOKEN = 'sandbox-token-not-a-secret';
const root = fileURLToPath(new URL('..', import.meta.url));

export interface Origins {
  site: string;
  api: string;
  sandbox: string;
}

export interface StackOptions {
  host?: string;
  ports?: Partial<Record<keyof Origins, number>>;
  /** The configuration file's content, given the origins; the demo's own by default. */
  widgets?: (origins: Origins) => unknown;
  /** The SQLite file (a temporary one by default). */
  database?: string;
  /** PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** Rate limits on the e-mail form (the server's defaults unless given; `false` for none). */
  limits?: PublicWriteLimits | false;
  /** The helpdesk's clock and background-job settings (tests move time forward, and poll jobs often). */
  now?: () => number;
  jobs?: HelpdeskOptions['jobs'];
  /** Environment for the helpdesk: the Chaport tokens and webhook secrets its configuration names. */
  env?: Record<string, string>;
  /** Client addresses from X-Forwarded-For (tests play many clients from one machine). */
  trustProxy?: boolean;
  /** Where the generated configuration file is written. */
  configPath?: string;
  presence?: Omit<PresenceOptions, 'log' | 'coordinator'>;
  accounts?: AccountSeed[];
  /** Real Chaport instead of the sandbox (CHAPORT_APP_ID and CHAPORT_API_TOKEN). */
  realChaport?: { appId: string; token: string };
  log?: Logger;
  /** Extra routes on the site and API origins (tests add pages with their own headers). */
  extendSite?(app: Hono, origins: Origins): void;
  extendApi?(app: Hono, origins: Origins): void;
  extendSandbox?(app: Hono, origins: Origins): void;
  /** Sees every request to the API and its response status (tests count polls and conditional requests). */
  onApiRequest?(request: Request, status: number): void;
  /** Stands between a browser and the API (tests: a response lost on its way back, whatever the browser engine). */
  aroundApi?(request: Request, forward: (request: Request) => Promise<Response>): Promise<Response>;
}

export interface Stack extends Origins {
  /** The Chaport sandbox's state and controls (its origin is `sandbox`). */
  chaport: ChaportSandbox;
  helpdesk: Helpdesk;
  db: AppDatabase;
  presence: PresenceService;
  widgets: ConfigSource;
  configPath: string;
  close(): Promise<void>;
}

export const defaultAccounts = (): AccountSeed[] => [
  {
    appId: DEMO_APP_ID,
    token: DEMO_TOKEN,
    teamName: 'ACME Support',
    operators: [
      { id: 'op-anna', name: 'Anna', email: 'anna@acme.example', status: 'online' },
      { id: 'op-boris', name: 'Boris', email: 'boris@acme.example', status: 'offline' },
    ],
  },
];

/**
 * The demo's configuration: every channel type on `acme`, a chat-only `acme-chat`, and the helpdesk side — groups,
 * the Chaport connection (chats from /pricing go to Billing), and a rule that sends refund talk to Billing too.
 */
export function demoWidgets({ site, api, sandbox }: Origins, real?: { appId: string }): unknown {
  const chaport = real
    ? { appId: real.appId }
    : { appId: DEMO_APP_ID, scriptUrl: `${sandbox}/javascripts/insert.js`, apiUrl: `${sandbox}/api/v1` };
  return {
    widgets: [
      {
        id: 'acme',
        allowedOrigins: [site],
        theme: { color: '#1f6feb', position: 'right' },
        reopenOnReply: true,
        presence: { pollSeconds: 10 },
        channels: [
          { id: 'chat', type: 'chaport', ...chaport, display: 'hideWhenOffline' },
          { id: 'tg', type: 'telegram', username: 'acme_support' },
          { id: 'wa', type: 'whatsapp', phone: '+79990001122', text: 'Hello ACME!' },
          { id: 'viber', type: 'viber', phone: '+79990001122' },
          { id: 'vk', type: 'vk', group: 'acme' },
          { id: 'fb', type: 'messenger', page: 'acme.support' },
          { id: 'mail', type: 'email' },
          { id: 'call', type: 'phone', phone: '+74950001122' },
          { id: 'kb', type: 'link', url: 'https://acme.example/help', label: { en: 'Help center', ru: 'Справочный центр' } },
        ],
      },
      {
        id: 'acme-chat',
        allowedOrigins: [site],
        theme: { color: '#6f42c1', position: 'right' },
        channels: [{ id: 'chat', type: 'chaport', ...chaport }],
      },
    ],
    helpdesk: {
      publicUrl: api,
      groups: [
        { id: 'general', name: 'General' },
        { id: 'billing', name: 'Billing questions' },
        { id: 'technical', name: 'Technical questions' },
      ],
      chaport: {
        ...(real ? {} : { apiUrl: `${sandbox}/api/v1` }),
        defaultGroup: 'general',
        routing: [
          { startPage: '/pricing*', group: 'billing' },
          { startPage: '/docs/api*', group: 'technical' },
        ],
        idleMinutes: 10,
        reconcileMinutes: 1,
      },
      automation: [
        { id: 'refunds', name: 'Refund talk goes to Billing', on: 'message.created', conditions: [{ field: 'messageText', op: 'contains', value: 'refund' }], actions: [{ type: 'setGroup', group: 'billing' }] },
      ],
    },
  };
}

// Braces too: the page is a template, and a visitor's message must never read as a placeholder.
const escape = (text: string) => text.replace(/[&<>"'{}]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? silentLogger;
  const origins: Origins = { site: '', api: '', sandbox: '' };

  const sandbox = createChaportSandbox(options.accounts ?? defaultAccounts());
  options.extendSandbox?.(sandbox.app, origins);
  // Every client of a local stack is 127.0.0.1: no per-address connection cap.
  const limits = { maxConnectionsPerIp: 0 };
  const sandboxServer = await listen(sandbox.app, { host, port: options.ports?.sandbox ?? 0, limits });
  origins.sandbox = sandboxServer.url;

  const site = createSite(origins, () => helpdesk!);
  options.extendSite?.(site, origins);
  const siteServer = await listen(site, { host, port: options.ports?.site ?? 0, limits });
  origins.site = siteServer.url;
  // The API's origin goes into its own configuration (allowed origins), so it listens first and gets its app after.
  let helpdesk: Helpdesk | undefined;
  const apiServer = await listen(
    {
      fetch: async (request: Request, ...rest: unknown[]) => {
        // Listening before the helpdesk is built (its address goes into its configuration): say so, not a 500.
        if (!helpdesk) return Response.json({ error: { code: 'unavailable', message: 'The helpdesk is starting' } }, { status: 503, headers: { 'Retry-After': '1' } });
        const forward = (forwarded: Request) => Promise.resolve(helpdesk!.app.fetch(forwarded, ...rest));
        const response = options.aroundApi ? await options.aroundApi(request, forward) : await forward(request);
        options.onApiRequest?.(request, response.status);
        return response;
      },
    },
    { host, port: options.ports?.api ?? 0, limits },
  );
  origins.api = apiServer.url;

  // Files not asked for (tests) live in a temporary folder that close() removes.
  const scratch = options.configPath && (options.database || options.databaseUrl) ? undefined : mkdtempSync(join(tmpdir(), 'omniwidget-stack-'));
  // Written to a file and read back like any deployment: OMNIWIDGET_CONFIG / --config.
  const configPath = options.configPath ?? join(scratch!, 'widgets.json');
  mkdirSync(dirname(configPath), { recursive: true });
  const content = options.widgets ? options.widgets(origins) : demoWidgets(origins, options.realChaport);
  writeFileSync(configPath, `${JSON.stringify(content, null, 2)}\n`);

  try {
    helpdesk = await createHelpdesk({
      configPath,
      database: options.databaseUrl ? { url: options.databaseUrl } : { file: options.database ?? join(scratch!, 'omniwidget.sqlite') },
      env: { CHAPORT_API_TOKEN: options.realChaport?.token ?? DEMO_TOKEN, ...options.env },
      ...(options.now ? { now: options.now } : {}),
      ...(options.jobs ? { jobs: options.jobs } : {}),
      ...(options.trustProxy ? { trustProxy: true } : {}),
      scriptPath: join(root, 'dist', 'omniwidget.js'),
      deskDir: join(root, 'dist', 'desk'),
      log,
      ...(options.presence ? { presence: options.presence } : {}),
      ...(options.limits !== undefined ? { limits: options.limits } : {}),
    });
  } catch (error) {
    await Promise.all([siteServer.close(), apiServer.close(), sandboxServer.close()]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  options.extendApi?.(helpdesk.app, origins);
  const ready = helpdesk;
  await ready.startJobs();

  return {
    ...origins,
    chaport: sandbox,
    helpdesk: ready,
    db: ready.db,
    presence: ready.presence,
    widgets: ready.widgets,
    configPath,
    async close() {
      await Promise.all([siteServer.close(), apiServer.close(), sandboxServer.close()]);
      await ready.stop(0);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** The demo site: static pages with the script tag, served under a strict CSP (no inline script or style). */
function createSite(origins: Origins, helpdesk: () => Helpdesk): Hono {
  const db = () => helpdesk().db;
  const app = new Hono();
  const file = (name: string) => readFileSync(join(root, 'demo', 'site', name), 'utf8');
  const csp = () =>
    [
      "default-src 'self'",
      `script-src 'self' ${origins.api} ${origins.sandbox}`,
      `connect-src 'self' ${origins.api} ${origins.sandbox}`,
      `frame-src ${origins.sandbox}`,
      "style-src 'self'",
      "img-src 'self' data:",
    ].join('; ');
  const render = (c: Context, html: string) =>
    c.body(
      html
        .replace('{{HEAD}}', file('_head.html'))
        .replace('{{NAV}}', file('_nav.html'))
        .replaceAll('{{API}}', origins.api)
        .replaceAll('{{CONSOLE}}', `${origins.sandbox}/console`),
      200,
      { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp(), 'Cache-Control': 'no-store' },
    );
  const pages: Record<string, string> = {
    '/': 'index.html',
    '/about': 'about.html',
    '/pricing': 'pricing.html',
    '/ru': 'ru.html',
    '/pure-chat': 'pure-chat.html',
    '/own-button': 'own-button.html',
    '/spa': 'spa.html',
    '/spa/*': 'spa.html',
  };
  for (const [path, name] of Object.entries(pages)) app.get(path, (c) => render(c, file(name)));
  for (const asset of ['site.css', 'stub.js', 'own-button.js', 'spa.js'])
    app.get(`/${asset}`, (c) => c.body(file(asset), 200, { 'Content-Type': asset.endsWith('.css') ? 'text/css' : 'text/javascript', 'Cache-Control': 'no-cache' }));
  // What the helpdesk holds: live chats and cases, as the agent API serves them (read-only; the desk comes later).
  app.get('/inbox', async (c) => {
    const { live, cases } = await db().read(async (q) => ({
      live: (await listConversations(q, { view: 'live', limit: 50 })).conversations,
      cases: (await listConversations(q, { view: 'cases', limit: 50 })).conversations,
    }));
    const details = await db().read(async (q) => Promise.all([...live, ...cases].map((item) => getConversation(q, item.id))));
    const byId = new Map(details.filter((item) => item !== null).map((item) => [item.id, item]));
    const unknown = '<i>unknown</i>';
    const groups = new Map(helpdesk().widgets.helpdesk().settings.groups.map((group) => [group.id, group.name]));
    const authors: Record<string, string> = { visitor: 'Visitor', agent: 'Agent', operator: 'Operator', bot: 'Bot', system: 'System' };
    const show = (value: string | null) => (value === null ? unknown : escape(value));
    const card = (item: Conversation) => {
      const conversation = byId.get(item.id)!;
      const visitor = conversation.visitor;
      const facts: [string, string | null][] = [
        ['Name', visitor.name], ['E-mail', visitor.email], ['Phone', visitor.phone], ['Browser', visitor.browser], ['OS', visitor.os],
        ['Location', visitor.location], ['IP', visitor.ip], ['Language', visitor.language], ['Start page', conversation.startPage], ['Current page', visitor.currentPage],
      ];
      const messages = conversation.messages.map((message) => `<li class="${message.author}"><b>${escape(message.authorName ?? authors[message.author]!)}:</b> ${escape(message.text)}</li>`).join('');
      return `<article class="conversation"><h3>#${conversation.number} ${escape(conversation.subject)}</h3>
        <p class="muted">${conversation.channel === 'online_chat' ? 'Online chat' : 'E-mail'} · group <b>${escape(groups.get(conversation.group) ?? conversation.group)}</b> · ${conversation.status}${conversation.completedBy ? ` · completed by ${conversation.completedBy}` : ''}</p>
        <ol class="thread">${messages}</ol>
        <dl>${facts.map(([label, value]) => `<dt>${label}</dt><dd>${show(value)}</dd>`).join('')}${Object.entries(visitor.custom).map(([key, value]) => `<dt>${escape(key)}</dt><dd>${escape(String(value))}</dd>`).join('')}</dl></article>`;
    };
    const section = (title: string, note: string, items: Conversation[]) => `<h2>${title} (${items.length})</h2><p class="muted">${note}</p>${items.map(card).join('') || '<p>Nothing yet.</p>'}`;
    return render(
      c,
      `<!doctype html><html lang="en"><head>{{HEAD}}<title>Helpdesk — omniwidget demo</title></head><body>{{NAV}}<main><h1>Helpdesk</h1>
      <p>Chats from Chaport and e-mail-form messages, as the helpdesk keeps them. Reload to see new ones.</p>
      ${section('Live chats', 'In progress: out of the case list until completed (by an agent, 10 minutes of silence, Chaport, or a rule).', live)}
      ${section('Cases', 'Completed chats and e-mails: the general list.', cases)}</main></body></html>`,
    );
  });
  return app;
}
