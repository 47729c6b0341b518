/**
 * What changed between two versions of the configuration, as the paths a person would look for:
 * `widgets[acme].channels[tg].username`, `helpdesk.chaport.routing[0].group`. Lists of things with an `id`
 * (widgets, channels, groups, rules, endpoints) are compared by id, so reordering them is one change ("order"),
 * not many. At most `limit` paths; "…" says there were more. The first version has no changes: it is all new.
 */
export function changedPaths(before: unknown, after: unknown, limit = 30): string[] {
  if (before === undefined) return [];
  const paths: string[] = [];
  const visit = (a: unknown, b: unknown, path: string): void => {
    if (paths.length > limit || Object.is(a, b)) return;
    if (Array.isArray(a) && Array.isArray(b)) return identified(a) && identified(b) ? byId(a, b, path) : byIndex(a, b, path);
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) visit(a[key], b[key], path ? `${path}.${key}` : key);
      return;
    }
    paths.push(path || '(everything)');
  };
  const byIndex = (a: unknown[], b: unknown[], path: string) => {
    // A list that grew or shrank is one change; the same length, item by item.
    if (a.length !== b.length) return void paths.push(path);
    a.forEach((item, index) => visit(item, b[index], `${path}[${index}]`));
  };
  const byId = (a: Identified[], b: Identified[], path: string) => {
    const [was, now] = [new Map(a.map((item) => [item.id, item])), new Map(b.map((item) => [item.id, item]))];
    for (const [id, item] of now) {
      if (!was.has(id)) paths.push(`${path}[${id}] added`);
      else visit(was.get(id), item, `${path}[${id}]`);
    }
    for (const id of was.keys()) if (!now.has(id)) paths.push(`${path}[${id}] removed`);
    const order = (list: Identified[]) => list.filter((item) => was.has(item.id) && now.has(item.id)).map((item) => item.id).join('\u0000');
    if (order(a) !== order(b)) paths.push(`${path} (order)`);
  };
  visit(before, after, '');
  return paths.length > limit ? [...paths.slice(0, limit), '…'] : paths;
}

type Identified = Record<string, unknown> & { id: string };
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const identified = (list: unknown[]): list is Identified[] => {
  const ids = list.map((item) => (isObject(item) && typeof item.id === 'string' ? item.id : null));
  return ids.every((id) => id !== null) && new Set(ids).size === ids.length;
};
