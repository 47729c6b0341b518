/**
 * Paths into the configuration document, written as the server's errors name fields: `widgets[0].channels[2].phone`.
 * The settings pages read and write the draft through them, and show each error at the field with the same path.
 */
export type Path = string;

export function parsePath(path: Path): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(index !== undefined ? Number(index) : key!);
  return steps;
}

export function getIn(value: unknown, path: Path): unknown {
  let at = value;
  for (const step of parsePath(path)) at = at == null ? undefined : (at as Record<string | number, unknown>)[step];
  return at;
}

/**
 * A copy of `value` with `next` at `path` (objects and arrays copied along the way, the rest shared). `undefined`
 * removes the key: an empty optional field leaves no trace in the saved file.
 */
export function setIn<T>(value: T, path: Path, next: unknown): T {
  const steps = parsePath(path);
  const write = (at: unknown, index: number): unknown => {
    const step = steps[index]!;
    const container = (Array.isArray(at) ? [...at] : at && typeof at === 'object' ? { ...(at as object) } : typeof step === 'number' ? [] : {}) as Record<string | number, unknown>;
    if (index === steps.length - 1) {
      if (next === undefined && !Array.isArray(container)) delete container[step];
      else container[step] = next;
    } else container[step] = write(container[step], index + 1);
    return container;
  };
  return write(value, 0) as T;
}

/** `widgets[0].channels` + `[2]` → `widgets[0].channels[2]`; + `phone` → `….phone`. */
export const join = (base: Path, key: string | number): Path => (typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key);
