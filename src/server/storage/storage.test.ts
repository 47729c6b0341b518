import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, testDatabase, type TestDatabaseTarget } from '../../../tests/support/databases.ts';
import { listJobs } from '../jobs/commands.ts';
import { countMessages, listMessages } from '../messages/commands.ts';
import { CommandError, StorageOpenError, type ChangeEvent } from './database.ts';
import { LATEST_VERSION } from './migrations.ts';
import type { AppDatabase } from './open.ts';

/** Strings that break naive storage: every one must come back byte for byte. */
const AWKWARD = [
  'plain',
  '',
  'emoji 😀👩‍👩‍👧 flags 🇷🇺',
  'Привет, мир! — «кавычки»',
  'שלום עולם (RTL) مرحبا',
  'combining e\u0301 vs é (not normalized)',
  '中文 日本語 한국어',
  "quotes ' \" ` and ? placeholders ?? $1 :name @name",
  'backslash \\ and \\0 and %s',
  'line\nbreaks\r\nand\ttabs',
  '\u2028\u2029 separators and \uFEFF BOM',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral 𐍈',
  'x'.repeat(5000),
];

describe.each(BACKENDS)('storage on %s', (backend) => {
  let target: TestDatabaseTarget;
  let db: AppDatabase;
  let clock = 1_700_000_000_000;
  const now = () => clock;

  beforeEach(async () => {
    target = await testDatabase(backend);
    db = await target.open({ now });
  });
  afterEach(async () => {
    await db.close();
    await target.remove();
  });

  const save = (key: string, message: string, extra: Record<string, string> = {}) =>
    db.write('messages.save', { widgetId: 'acme', idempotencyKey: key, request: { email: 'ann@example.com', message, ...extra }, origin: null });

  it('applies every migration once, and reopening applies none again', async () => {
    const versions = async () => db.read((q) => q.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    expect((await versions()).map((row) => row.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    await db.close();
    db = await target.open({ now });
    expect(await versions()).toHaveLength(LATEST_VERSION);
  });

  it('returns every string byte for byte', async () => {
    for (const [index, text] of AWKWARD.entries()) await save(`awkward-${index}`, text || ' ', { name: text, page: 'https://acme.example/?q=%3F&x=1' });
    const stored = await db.read((q) => listMessages(q, 'acme', 100));
    for (const [index, text] of AWKWARD.entries()) {
      const message = stored.find((item) => item.idempotencyKey === `awkward-${index}`)!;
      expect(message.message).toBe(text || ' ');
      expect(message.name).toBe(text);
      expect(Buffer.from(message.name!, 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  it('stores a message once per idempotency key, however many retries race', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => save('same-key-1', 'hello')));
    expect(new Set(results.map((result) => result.message.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(await db.read((q) => countMessages(q, 'acme'))).toBe(1);
    await expect(save('same-key-1', 'different')).rejects.toMatchObject({ name: 'CommandError', code: 'idempotency_key_reused' });
  });

  it('commits concurrent writes independently: one refused command does not undo its neighbours', async () => {
    await save('taken-key', 'first');
    const outcomes = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? save('taken-key', `conflict ${i}`) : save(`key-${i}`, `message ${i}`))));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(6);
    for (const outcome of refused) expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(CommandError);
    expect(await db.read((q) => countMessages(q, 'acme'))).toBe(1 + 54);
  });

  it('publishes change events to subscribers once the transaction commits, and not when it fails', async () => {
    const seen: ChangeEvent[] = [];
    const off = db.subscribe((event) => seen.push(event));
    await db.write('jobs.enqueue', { kind: 'test.kind', payload: { n: 1 } });
    await expect.poll(() => seen.filter((event) => event.topic === 'jobs').length, { timeout: 5000 }).toBe(1);
    // Deduplicated: nothing new is written, so nothing is published.
    await db.write('jobs.enqueue', { kind: 'test.kind', payload: { n: 1 }, options: { dedupeKey: 'only-once' } });
    await db.write('jobs.enqueue', { kind: 'test.kind', payload: { n: 1 }, options: { dedupeKey: 'only-once' } });
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(2);
    off();
  });

  describe('jobs', () => {
    const claim = async (worker: string, limit = 10, leaseMs = 30_000) => (await db.write('jobs.claim', { worker, kinds: ['test.kind'], limit, leaseMs })).jobs;

    it('hands each due job to one worker only, in run order, and never a job that is not due', async () => {
      for (let i = 0; i < 30; i++) await db.write('jobs.enqueue', { kind: 'test.kind', payload: { i }, options: { runAt: clock - 1000 + i } });
      await db.write('jobs.enqueue', { kind: 'test.kind', payload: { later: true }, options: { runAt: clock + 60_000 } });
      await db.write('jobs.enqueue', { kind: 'other.kind', payload: {} });
      const claims = await Promise.all(['a', 'b', 'c', 'd'].map((worker) => claim(worker, 10)));
      const ids = claims.flat().map((job) => job.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      for (const jobs of claims) expect(jobs.map((job) => (job.payload as { i: number }).i)).toEqual([...jobs.map((job) => (job.payload as { i: number }).i)].sort((a, b) => a - b));
      expect(await claim('e')).toEqual([]);
      // The claim also tells when the next waiting job falls due, so the runner can be there on time.
      expect((await db.write('jobs.claim', { worker: 'e', kinds: ['test.kind'], limit: 10, leaseMs: 1 })).nextRunAt).toBe(clock + 60_000);
    });

    it('gives a job whose lease ran out (its instance died) to another worker, counting the attempt', async () => {
      await db.write('jobs.enqueue', { kind: 'test.kind', payload: {} });
      const [job] = await claim('doomed', 1, 5000);
      expect(job!.attempts).toBe(1);
      expect(await claim('other')).toEqual([]);
      clock += 5001;
      const [again] = await claim('other');
      expect(again).toMatchObject({ id: job!.id, attempts: 2 });
      // The dead worker's late completion is ignored: the job belongs to "other" now.
      expect(await db.write('jobs.complete', { id: job!.id, worker: 'doomed' })).toBe(false);
      expect(await db.write('jobs.complete', { id: job!.id, worker: 'other' })).toBe(true);
      expect(await db.read((q) => listJobs(q))).toEqual([]);
    });

    it('retries a failed job when due, dead-letters it when told, and revives it on request', async () => {
      await db.write('jobs.enqueue', { kind: 'test.kind', payload: { x: 1 }, options: { maxAttempts: 2 } });
      const [job] = await claim('w');
      await db.write('jobs.fail', { id: job!.id, worker: 'w', error: 'upstream said 503', retryAt: clock + 1000, dead: false });
      expect(await claim('w')).toEqual([]);
      clock += 1000;
      const [retry] = await claim('w');
      await db.write('jobs.fail', { id: retry!.id, worker: 'w', error: 'upstream said 503 again', retryAt: clock, dead: true });
      clock += 10_000;
      expect(await claim('w')).toEqual([]);
      expect(await db.read((q) => listJobs(q, { state: 'dead' }))).toEqual([expect.objectContaining({ id: job!.id, attempts: 2, lastError: 'upstream said 503 again', payload: { x: 1 } })]);
      expect(await db.write('jobs.revive', { id: job!.id })).toBe(true);
      expect(await claim('w')).toEqual([expect.objectContaining({ id: job!.id, attempts: 1 })]);
    });
  });

  it('lets one of many instances claim a presence refresh per interval, and shares what it records', async () => {
    const claimAll = () => Promise.all(Array.from({ length: 8 }, () => db.write('presence.claim', { account: 'acct', refreshMs: 10_000 })));
    const first = await claimAll();
    expect(first.filter((claim) => claim.claimed)).toHaveLength(1);
    expect(first[0]).toMatchObject({ online: null, fetchedAt: null });
    await db.write('presence.record', { account: 'acct', online: true });
    clock += 9_999;
    expect((await claimAll()).filter((claim) => claim.claimed)).toHaveLength(0);
    clock += 1;
    const third = await claimAll();
    expect(third.filter((claim) => claim.claimed)).toHaveLength(1);
    expect(third[0]).toMatchObject({ online: true, fetchedAt: clock - 10_000 });
  });

  it('adds up rate-limit hits from every instance per bucket and window', async () => {
    const sync = (add: number, bucket = 'ip:1', windowStart = 0) => db.write('rateLimit.sync', { entries: [{ bucket, windowStart, add }] });
    const totals = await Promise.all(Array.from({ length: 10 }, () => sync(3)));
    expect(totals.map(([total]) => total).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 10 }, (_, i) => 3 * (i + 1)));
    expect(await sync(1, 'ip:2')).toEqual([1]);
    expect(await sync(1, 'ip:1', 60_000)).toEqual([1]);
    expect(await db.write('rateLimit.prune', { before: 60_000 })).toBe(2);
  });

  it('proves it can write when checked', async () => {
    expect(await db.check()).toEqual({ ok: true, backend });
    const instances = await db.read((q) => q.all<{ pid: number }>('SELECT pid FROM instances'));
    expect(instances).toEqual([expect.objectContaining({ pid: process.pid })]);
  });
});

describe('SQLite file handling', () => {
  let target: TestDatabaseTarget;
  beforeEach(async () => {
    target = await testDatabase('sqlite');
  });
  afterEach(() => target.remove());

  it('refuses a second server on the same file, in this process or another, until the first closes', async () => {
    const first = await target.open();
    await expect(target.open()).rejects.toThrow(/is in use by another omniwidget-server process/);
    const other = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', `import('./src/server/storage/open.ts').then((m) => m.openDatabase({ file: ${JSON.stringify(target.options.file)} })).then(() => process.exit(0), (e) => { console.log(e.message); process.exit(3); })`],
      { encoding: 'utf8' },
    );
    expect(other.status).toBe(3);
    expect(other.stdout).toMatch(/is in use by another omniwidget-server process/);
    await first.close();
    const second = await target.open();
    await second.close();
  });

  it('refuses a file that is not a database, or is damaged, in one line', async () => {
    writeFileSync(target.options.file!, 'this is not a database, just text '.repeat(200));
    const error = await target.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageOpenError);
    expect((error as Error).message).toMatch(/^cannot open .*omniwidget\.sqlite: it is not a SQLite database$/);
  });

  it('refuses a database written by a newer server', async () => {
    const db = await target.open();
    await db.close();
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const raw = new BetterSqlite3(target.options.file!);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_VERSION + 1, 'from the future', new Date().toISOString());
    raw.close();
    await expect(target.open()).rejects.toThrow(`newer than this server knows (${LATEST_VERSION}): upgrade the server`);
  });
});

describe('PostgreSQL connection failures', () => {
  it('says in one line why it cannot connect, without the password', async () => {
    const { openDatabase } = await import('./open.ts');
    const error = await openDatabase({ url: 'postgres://omni:s3cret-pass@127.0.0.1:1/nothing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageOpenError);
    expect((error as Error).message).toMatch(/^cannot use PostgreSQL at postgres:\/\/omni:\*\*\*@127\.0\.0\.1:1\/nothing: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('s3cret');
  });
});
