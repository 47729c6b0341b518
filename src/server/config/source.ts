import { loadServerConfig, type ServerConfig, type WidgetEntry, type WidgetRegistry } from './file.ts';
import { resolveHelpdesk, type HelpdeskConfig } from './helpdesk.ts';
import * as v from 'valibot';
import { helpdeskSettingsSchema } from '../../contract/helpdesk.ts';

/**
 * The configuration the server serves now. Reloading swaps it whole: a request in flight keeps the entry it started
 * with, the next one sees the new file, none is dropped. A bad file is refused and the current configuration stays.
 */
export interface ConfigSource {
  get(widgetId: string): WidgetEntry | undefined;
  all(): WidgetRegistry;
  /** The helpdesk side: groups, the Chaport connection, rules, webhook endpoints. */
  helpdesk(): HelpdeskConfig;
  /** Where it comes from, for logs and `/readyz`. */
  readonly description: string;
  readonly loadedAt: number;
  /** Reads the source again; rejects with ConfigFileError (the current configuration stays) when it is invalid. */
  reload(): Promise<ServerConfig>;
}

export function fileConfigSource(path: string, env: Record<string, string | undefined> = process.env, now: () => number = Date.now): ConfigSource {
  let current = loadServerConfig(path, env);
  let loadedAt = now();
  return {
    get: (widgetId) => current.widgets.get(widgetId),
    all: () => current.widgets,
    helpdesk: () => current.helpdesk,
    description: path,
    get loadedAt() {
      return loadedAt;
    },
    async reload() {
      current = loadServerConfig(path, env);
      loadedAt = now();
      return current;
    },
  };
}

/** The helpdesk with nothing configured: one "General" group, no Chaport, no rules. */
export const emptyHelpdesk = (): HelpdeskConfig =>
  resolveHelpdesk(v.parse(helpdeskSettingsSchema, {}), {}, (message) => new Error(message));

/** A fixed configuration (tests, or an application that builds its configuration in code). */
export function staticConfigSource(widgets: WidgetRegistry, helpdesk: HelpdeskConfig = emptyHelpdesk(), now: () => number = Date.now): ConfigSource {
  const loadedAt = now();
  return { get: (widgetId) => widgets.get(widgetId), all: () => widgets, helpdesk: () => helpdesk, description: 'in memory', loadedAt, reload: async () => ({ widgets, helpdesk }) };
}
