import { loadConfigFile, type WidgetEntry, type WidgetRegistry } from './file.ts';

/**
 * The widgets the server serves now. Reloading swaps the whole registry at once: a request in flight keeps the
 * entry it started with, the next one sees the new file, none is dropped. A bad file is refused and the current
 * configuration stays.
 */
export interface ConfigSource {
  get(widgetId: string): WidgetEntry | undefined;
  all(): WidgetRegistry;
  /** Where it comes from, for logs and `/readyz`. */
  readonly description: string;
  readonly loadedAt: number;
  /** Reads the source again; throws ConfigFileError (the current configuration stays) when it is invalid. */
  reload(): WidgetRegistry;
}

export function fileConfigSource(path: string, env: Record<string, string | undefined> = process.env, now: () => number = Date.now): ConfigSource {
  let registry = loadConfigFile(path, env);
  let loadedAt = now();
  return {
    get: (widgetId) => registry.get(widgetId),
    all: () => registry,
    description: path,
    get loadedAt() {
      return loadedAt;
    },
    reload() {
      registry = loadConfigFile(path, env);
      loadedAt = now();
      return registry;
    },
  };
}

/** A fixed registry (tests, or an application that builds its configuration in code). */
export function staticConfigSource(registry: WidgetRegistry, now: () => number = Date.now): ConfigSource {
  const loadedAt = now();
  return { get: (widgetId) => registry.get(widgetId), all: () => registry, description: 'in memory', loadedAt, reload: () => registry };
}
