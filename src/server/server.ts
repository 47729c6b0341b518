import { DEFAULT_PUBLIC_WRITE_LIMITS, createApi, type PublicWriteLimits } from './app.ts';
import { memoryRateLimiter, sharedRateLimiter } from './http/rate-limit.ts';
import { listen, type ConnectionLimits, type RunningServer } from './http/listen.ts';
import { createChaportIntegration, type ChaportIntegration } from './chaport/integration.ts';
import { conversationStream } from './conversations/stream.ts';
import { maintenanceJob } from './jobs/maintenance.ts';
import { deliveryJob } from './outbound/deliver.ts';
import { createJobRunner, ensurePeriodic, type JobRunner } from './jobs/runner.ts';
import type { Hono } from 'hono';
import { silentLogger, type Logger } from './log.ts';
import { databaseCoordinator } from './presence/commands.ts';
import { createPresenceService, type PresenceOptions, type PresenceService } from './presence/service.ts';
import { thisInstance, type InstanceInfo } from './storage/instance.ts';
import { openDatabase, type AppDatabase } from './storage/open.ts';
import { prepareSettings, type SettingsConfigSource } from './settings/source.ts';

export interface HelpdeskOptions {
  /**
   * The configuration file (`--config`, `OMNIWIDGET_CONFIG`): made the current settings whenever its content changed
   * since it was last read. Optional: without it the settings come from the database (the settings pages).
   */
  configPath?: string | undefined;
  /** `postgres://…` (DATABASE_URL) for several instances; otherwise the SQLite `file`. */
  database: { url?: string | undefined; file?: string | undefined };
  /** The built script-tag bundle, served at `/omniwidget.js`. */
  scriptPath?: string;
  /** The built agent desk (`dist/desk`), served at `/desk`. */
  deskDir?: string;
  /** Presence settings; `refreshMs` is at most one Chaport call per account per interval, across all instances. */
  presence?: Omit<PresenceOptions, 'log' | 'coordinator'>;
  limits?: PublicWriteLimits | false;
  trustProxy?: boolean;
  /** Environment holding the Chaport tokens the configuration names. @default process.env */
  env?: Record<string, string | undefined>;
  jobs?: { concurrency?: number; leaseMs?: number; pollMs?: number };
  /** For Chaport's REST API and outbound webhooks (tests). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The package version, shown in `/v1/openapi.json`. */
  version?: string;
  /** The clock of everything time-based: the database, jobs, presence, Chaport (tests move it forward). @default Date.now */
  now?: () => number;
  log?: Logger;
}

/** Background work that recurs, one job each across all instances. */
const PERIODIC_JOBS = ['maintenance', 'chaport.connect', 'chaport.reconcile', 'conversations.idle'] as const;

/** The helpdesk API, assembled but not listening: mount `app` in any server, or use `startServer`. */
export interface Helpdesk {
  app: Hono;
  db: AppDatabase;
  widgets: SettingsConfigSource;
  presence: PresenceService;
  jobs: JobRunner;
  chaport: ChaportIntegration;
  instance: InstanceInfo;
  /** Reads the configuration file again (in force if it changed); a bad file is refused and the current configuration stays. */
  reload(): Promise<{ ok: true; widgets: string[] } | { ok: false; error: string }>;
  /** Starts the background work (after the HTTP server is up: a start that fails runs none of it). */
  startJobs(): Promise<void>;
  /** From now on `/readyz` answers 503 "draining", so load balancers send traffic elsewhere. */
  stopAccepting(): void;
  /** Stops accepting, stops background work (waiting up to `timeoutMs` for running jobs), closes the database. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Configuration, database, presence and background jobs, in that order, so that a bad start fails before
 * anything runs. Each step throws a one-line error (ConfigFileError, StorageOpenError) for the command line.
 */
export async function createHelpdesk(options: HelpdeskOptions): Promise<Helpdesk> {
  const log = options.log ?? silentLogger;
  const settings = prepareSettings({ file: options.configPath, env: options.env ?? process.env });
  const now = options.now ?? Date.now;
  const instance = thisInstance(now);
  const db = await openDatabase({ ...options.database, instance, now });
  let widgets: SettingsConfigSource;
  try {
    widgets = await settings.open(db, log, now);
  } catch (error) {
    await db.close();
    throw error;
  }
  const shared = db.dialect === 'postgres';
  const presence = createPresenceService({ refreshMs: 15_000, now, ...options.presence, log, ...(shared ? { coordinator: databaseCoordinator(db) } : {}) });
  const chaport = createChaportIntegration({ db, config: widgets, log, now, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const jobs = createJobRunner({
    db,
    worker: instance.id,
    log,
    now,
    handlers: { maintenance: maintenanceJob(db, now), ...chaport.jobs, 'webhook.deliver': deliveryJob({ db, config: widgets, now, ...(options.fetch ? { fetch: options.fetch } : {}) }) },
    ...options.jobs,
  });
  let accepting = true;
  const stream = conversationStream(db);
  const app = createApi({
    widgets,
    db,
    presence,
    log,
    limits: options.limits ?? DEFAULT_PUBLIC_WRITE_LIMITS,
    rateLimiter: shared ? sharedRateLimiter(db, { now }) : memoryRateLimiter(now),
    trustProxy: options.trustProxy ?? false,
    accepting: () => accepting,
    chaport,
    stream,
    now,
    ...(options.version ? { version: options.version } : {}),
    ...(options.scriptPath ? { widgetScriptPath: options.scriptPath } : {}),
    ...(options.deskDir ? { deskDir: options.deskDir } : {}),
    settings: { source: widgets, env: options.env ?? process.env, file: options.configPath ?? null },
  });
  return {
    app,
    db,
    widgets,
    presence,
    jobs,
    chaport,
    instance,
    async reload() {
      try {
        const registry = (await widgets.reload()).widgets;
        log.info('config.reloaded', { widgets: [...registry.keys()] });
        return { ok: true, widgets: [...registry.keys()] };
      } catch (error) {
        log.error('config.reload_failed', { error: (error as Error).message });
        return { ok: false, error: (error as Error).message };
      }
    },
    async startJobs() {
      for (const kind of PERIODIC_JOBS) await ensurePeriodic(db, kind);
      jobs.start();
    },
    stopAccepting() {
      accepting = false;
      // Live streams never go idle: end them, and the desks reconnect (to another instance, behind a balancer).
      stream.closeAll();
    },
    async stop(timeoutMs = 10_000) {
      accepting = false;
      stream.closeAll();
      await jobs.stop(timeoutMs);
      widgets.close();
      await db.close();
    },
  };
}

export interface ServerOptions extends HelpdeskOptions {
  port?: number;
  host?: string;
  connectionLimits?: Partial<ConnectionLimits>;
}

export interface HelpdeskServer extends Helpdesk {
  url: string;
  /** Stops accepting connections, finishes requests and jobs in flight (up to `timeoutMs`), closes the database. */
  drain(timeoutMs?: number): Promise<void>;
}

/** The helpdesk API as one process: `createHelpdesk`, then Node's HTTP server with connection limits. */
export async function startServer(options: ServerOptions): Promise<HelpdeskServer> {
  const log = options.log ?? silentLogger;
  const helpdesk = await createHelpdesk(options);
  let http: RunningServer;
  try {
    http = await listen(helpdesk.app, {
      port: options.port ?? 8081,
      host: options.host ?? '127.0.0.1',
      // Behind a proxy every client shares its address: a per-address connection cap would cap everyone.
      limits: { ...(options.trustProxy ? { maxConnectionsPerIp: 0 } : {}), ...options.connectionLimits },
    });
  } catch (error) {
    await helpdesk.stop(0);
    throw error;
  }
  try {
    await helpdesk.startJobs();
  } catch (error) {
    await http.close();
    await helpdesk.stop(0);
    throw error;
  }
  const { db, widgets, instance } = helpdesk;
  log.info('server.listening', { url: http.url, instance: instance.id, database: db.dialect, location: db.location, widgets: [...widgets.all().keys()] });
  return {
    ...helpdesk,
    url: http.url,
    async drain(timeoutMs = 10_000) {
      log.info('server.draining', { timeoutMs });
      helpdesk.stopAccepting();
      // Requests in flight finish before the database closes under them.
      await Promise.all([http.drain(timeoutMs), helpdesk.jobs.stop(timeoutMs)]);
      await helpdesk.stop(0);
      log.info('server.stopped', {});
    },
  };
}
