import type { BaseIssue } from 'valibot';

/**
 * Renders a valibot issue path the way a person writes it: `channels[2].phone`.
 * Both the server (config file errors) and the SDK (config and form errors) name fields this way.
 */
export function issuePath(issue: BaseIssue<unknown>): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path ? `.${String(key)}` : String(key);
  }
  return path;
}

/** The issue's message, with valibot's `Invalid key: …` said plainly: a missing key, or an unknown one. */
export function issueMessage(issue: BaseIssue<unknown>): string {
  if (issue.type.endsWith('object') && issue.kind === 'schema') {
    if (issue.expected === 'never') return 'is not a known key';
    if (issue.input === undefined) return 'is required';
  }
  return issue.message;
}

/** One line per issue, each starting with the field it is about. */
export function formatIssues(issues: readonly BaseIssue<unknown>[], root = ''): string {
  return issues
    .map((issue) => {
      const path = issuePath(issue);
      const field = root && path ? `${root}${path.startsWith('[') ? '' : '.'}${path}` : root || path;
      return field ? `${field}: ${issueMessage(issue)}` : issueMessage(issue);
    })
    .join('\n');
}
