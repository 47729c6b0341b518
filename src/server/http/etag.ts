import { createHash } from 'node:crypto';

/** A strong ETag for exact bytes; a weak one (`W/`) for a representation whose meaning, not bytes, is stable. */
export function etagOf(content: string, weak = false): string {
  const tag = `"${createHash('sha256').update(content).digest('base64url').slice(0, 22)}"`;
  return weak ? `W/${tag}` : tag;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === opaque(etag));
}
