import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Database } from './database.ts';

/** This server process, as other instances and operators see it in the `instances` table. */
export interface InstanceInfo {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
}

export function thisInstance(now: () => number = Date.now): InstanceInfo {
  return { id: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, host: hostname(), pid: process.pid, startedAt: now() };
}

/** A real write, so a readiness check proves the database takes writes, not only that a connection is open. */
export function recordInstance(db: Pick<Database, 'write'>, instance: InstanceInfo): Promise<unknown> {
  return db.write('instances.seen', { ...instance });
}
