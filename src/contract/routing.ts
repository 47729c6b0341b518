import type { RoutingRule } from './helpdesk.ts';

/**
 * Whether a page matches a pattern as a person writes it: `*` is anything, the rest is literal. A pattern starting
 * with `/` is compared with the page's path and query (so `/pricing*` matches `https://acme.example/pricing?plan=pro`);
 * a full URL pattern with the whole URL. Comparison ignores case.
 */
export function pageMatches(pattern: string, page: string | null | undefined): boolean {
  if (!page) return false;
  let subject = page;
  if (pattern.startsWith('/')) {
    try {
      const url = new URL(page);
      subject = url.pathname + url.search;
    } catch {
      subject = page; // already a path
    }
  }
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(subject);
}

/** The group a new chat goes to: the first start-page rule that matches, else the integration's default group. */
export function routeChat(startPage: string | null | undefined, rules: readonly RoutingRule[], defaultGroup: string): { group: string; rule: number | null } {
  const index = rules.findIndex((rule) => pageMatches(rule.startPage, startPage));
  return index < 0 ? { group: defaultGroup, rule: null } : { group: rules[index]!.group, rule: index };
}
