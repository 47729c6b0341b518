/**
 * The only place the SDK touches browser storage. Every key starts with `omniwidget:<widgetId>:` and holds one
 * small record (never a whole store rewritten on each change). Returns null where storage is unavailable
 * (disabled cookies, sandboxed iframes, Safari private mode quotas) and before consent.
 */
export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  /** Keys (without the prefix) that start with `prefix`. */
  keys(prefix: string): string[];
}

export function browserStorage(widgetId: string, backend: () => Storage = () => localStorage): KeyValueStorage | null {
  const scope = `omniwidget:${widgetId}:`;
  // Any call may throw (blocked storage, quota): the caller then keeps what it has in memory, which is all it can do.
  const attempt = <T>(run: () => T, fallback: T): T => {
    try {
      return run();
    } catch {
      return fallback;
    }
  };
  const store = attempt(() => {
    const found = backend();
    found.getItem(scope); // throws where storage is blocked
    return found;
  }, null);
  if (!store) return null;
  return {
    get: (key) => attempt(() => store.getItem(scope + key), null),
    set: (key, value) => attempt(() => store.setItem(scope + key, value), undefined),
    remove: (key) => attempt(() => store.removeItem(scope + key), undefined),
    keys: (prefix) =>
      attempt(
        () =>
          Object.keys(store)
            .filter((key) => key.startsWith(scope + prefix))
            .map((key) => key.slice(scope.length)),
        [],
      ),
  };
}

/** In-memory storage with the same interface: used in tests. */
export function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (key) => data.get(key) ?? null,
    set: (key, value) => void data.set(key, value),
    remove: (key) => void data.delete(key),
    keys: (prefix) => [...data.keys()].filter((key) => key.startsWith(prefix)),
  };
}
