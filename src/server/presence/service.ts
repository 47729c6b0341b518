import { createHash } from 'node:crypto';
import type { PresenceResponse } from '../../contract/api.ts';
import type { ChaportAccount, WidgetEntry } from '../config/file.ts';
import type { Logger } from '../log.ts';
import { anyOperatorOnline } from './chaport-operators.ts';
import type { SharedPresence } from './commands.ts';

/**
 * Where instances agree on who asks Chaport next (presence.claim / presence.record on the shared database).
 * Without it, the service is on its own: right for one instance.
 */
export interface PresenceCoordinator {
  claim(account: string, refreshMs: number): Promise<SharedPresence>;
  record(account: string, online: boolean): Promise<void>;
}

export interface PresenceOptions {
  /** At most one upstream call per account per this interval, however many visitors poll. @default 15000 */
  refreshMs?: number;
  /** After this long without a successful upstream answer, presence is reported unknown (`online: null`). @default 300000 */
  maxStaleMs?: number;
  /** How long a poll waits for an in-flight refresh before answering with the last known value. @default 1500 */
  answerWithinMs?: number;
  /** Upstream request timeout. @default 5000 */
  upstreamTimeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
  log?: Logger;
  /** Several instances: at most one upstream call per account per `refreshMs` among all of them. */
  coordinator?: PresenceCoordinator;
}

interface AccountState {
  online: boolean | null;
  /** When the last successful upstream answer arrived. */
  fetchedAt: number | null;
  /** When the last upstream call started, successful or not: failures are not retried within the interval. */
  attemptedAt: number | null;
  inflight: Promise<void> | null;
  /** This instance's call to Chaport in progress, if any: the part of a refresh worth waiting for. */
  upstream: Promise<void> | null;
}

export interface PresenceService {
  /** Presence of every presence-aware chat channel of the widget. */
  forWidget(widget: WidgetEntry): Promise<PresenceResponse>;
  /** Resolves when no refresh is in flight (tests; a refresh may run after the poll that started it is answered). */
  settled(): Promise<void>;
  /** Upstream calls made by this instance so far (for tests and the benchmark). */
  readonly upstreamCalls: number;
}

/**
 * Presence from Chaport's REST API, shared by every visitor: one cache entry per Chaport account (API URL and
 * token), refreshed lazily — no visitors, no upstream calls — at most once per `refreshMs`, with concurrent
 * polls sharing one in-flight call (single flight). While Chaport is slow or failing the last known value is
 * served, until it is `maxStaleMs` old; then the answer is `online: null` (unknown).
 */
export function createPresenceService(options: PresenceOptions = {}): PresenceService {
  const {
    refreshMs = 15_000,
    maxStaleMs = 300_000,
    answerWithinMs = 1500,
    upstreamTimeoutMs = 5000,
    now = Date.now,
    fetch: fetchImpl = fetch,
    log,
    coordinator,
  } = options;
  const accounts = new Map<string, AccountState>();
  const recording = new Set<Promise<unknown>>();
  let upstreamCalls = 0;

  // The token is part of the identity of an account, but only as a hash: the map key could end up in a dump.
  const keyOf = (account: ChaportAccount) => `${account.apiUrl} ${createHash('sha256').update(account.token).digest('base64url')}`;

  function askChaport(account: ChaportAccount, state: AccountState, key: string): Promise<void> {
    upstreamCalls++;
    state.upstream = callChaport(account, state, key).finally(() => {
      state.upstream = null;
    });
    return state.upstream;
  }

  async function callChaport(account: ChaportAccount, state: AccountState, key: string): Promise<void> {
    try {
      const online = await anyOperatorOnline(account.apiUrl, account.token, { fetch: fetchImpl, timeoutMs: upstreamTimeoutMs });
      if (state.online !== online) log?.info('presence.changed', { apiUrl: account.apiUrl, online });
      state.online = online;
      state.fetchedAt = now();
      // Told to the other instances without making this poll wait for the shared database.
      if (coordinator) {
        const recorded = coordinator.record(key, online).catch((error: Error) => log?.warn('presence.record_failed', { reason: error.message }));
        recording.add(recorded);
        void recorded.finally(() => recording.delete(recorded));
      }
    } catch (error) {
      log?.warn('presence.upstream_failed', { reason: (error as Error).message });
    }
  }

  async function refreshNow(account: ChaportAccount, state: AccountState, key: string): Promise<void> {
    if (!coordinator) return askChaport(account, state, key);
    let shared: SharedPresence;
    try {
      shared = await coordinator.claim(key, refreshMs);
    } catch (error) {
      // The shared database is unavailable: presence matters more than the call budget for a moment.
      log?.warn('presence.claim_failed', { reason: (error as Error).message });
      return askChaport(account, state, key);
    }
    if (shared.claimed) return askChaport(account, state, key);
    // Another instance asks Chaport this interval: take the last answer it recorded.
    if (shared.fetchedAt !== null && (state.fetchedAt === null || shared.fetchedAt > state.fetchedAt)) {
      state.online = shared.online;
      state.fetchedAt = shared.fetchedAt;
    }
  }

  function refresh(account: ChaportAccount, state: AccountState, key: string): Promise<void> {
    state.attemptedAt = now();
    state.inflight = refreshNow(account, state, key).finally(() => {
      state.inflight = null;
    });
    return state.inflight;
  }

  async function onlineOf(account: ChaportAccount): Promise<{ online: boolean | null; fetchedAt: number | null }> {
    const key = keyOf(account);
    let state = accounts.get(key);
    if (!state) accounts.set(key, (state = { online: null, fetchedAt: null, attemptedAt: null, inflight: null, upstream: null }));
    const due = state.attemptedAt === null || now() - state.attemptedAt >= refreshMs;
    if (!state.inflight && due) void refresh(account, state, key);
    // Fresh when Chaport is quick; the last known value when it is slow. Only this instance's own call to Chaport is
    // waited for — never the shared database's say on who calls, which may queue behind a flood of writes.
    const waitFor = state.upstream ?? (state.fetchedAt === null ? state.inflight : null);
    if (waitFor) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([waitFor, new Promise<void>((resolve) => (timer = setTimeout(resolve, answerWithinMs)))]);
      clearTimeout(timer);
    }
    const fresh = state.fetchedAt !== null && now() - state.fetchedAt <= maxStaleMs;
    return { online: fresh ? state.online : null, fetchedAt: state.fetchedAt };
  }

  return {
    async forWidget(widget) {
      const channels: PresenceResponse['channels'] = {};
      let checkedAt: number | null = null;
      for (const account of widget.chaport.values()) {
        const { online, fetchedAt } = await onlineOf(account);
        channels[account.channelId] = { online };
        if (fetchedAt !== null && (checkedAt === null || fetchedAt < checkedAt)) checkedAt = fetchedAt;
      }
      return { channels, checkedAt: checkedAt === null ? null : new Date(checkedAt).toISOString() };
    },
    async settled() {
      await Promise.all([...accounts.values()].map((state) => state.inflight));
      await Promise.all(recording);
    },
    get upstreamCalls() {
      return upstreamCalls;
    },
  };
}
