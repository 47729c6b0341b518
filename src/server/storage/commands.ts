import { conversationCommands } from '../conversations/commands.ts';
import { rateLimitCommands } from '../http/rate-limit-commands.ts';
import { jobCommands } from '../jobs/commands.ts';
import { messageCommands } from '../messages/commands.ts';
import { deliveryCommands } from '../outbound/deliver.ts';
import { presenceCommands } from '../presence/commands.ts';
import { staffCommands } from '../staff/staff.ts';
import { tokenCommands } from '../staff/tokens.ts';
import { settingsVersionCommands } from '../settings/commands.ts';
import { instanceCommands } from './instance-commands.ts';
import { settingsCommands } from './settings-commands.ts';

/**
 * Every write the server makes, by name. The SQLite writer thread runs them from this table (a closure cannot
 * cross to a thread); PostgreSQL runs them in the calling instance. Each lives beside the feature it serves.
 */
export const commands = {
  ...instanceCommands,
  ...messageCommands,
  ...jobCommands,
  ...presenceCommands,
  ...rateLimitCommands,
  ...settingsCommands,
  ...conversationCommands,
  ...tokenCommands,
  ...deliveryCommands,
  ...staffCommands,
  ...settingsVersionCommands,
};

export type Commands = typeof commands;

/**
 * Writes whose loss in a database crash costs nothing — counters and caches that rebuild themselves. PostgreSQL
 * commits them without waiting for the WAL flush (`synchronous_commit = off`), so a hot counter row is never
 * held for an fsync. Everything else is durable before it is acknowledged.
 */
export const EPHEMERAL_COMMANDS: ReadonlySet<keyof Commands> = new Set(['rateLimit.sync', 'rateLimit.prune', 'presence.claim', 'presence.record', 'tokens.used', 'sessions.seen']);
