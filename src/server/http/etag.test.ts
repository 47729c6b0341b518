import { describe, expect, it } from 'vitest';
import { etagOf, ifNoneMatchHits } from './etag.ts';

describe('etag', () => {
  it('is stable for the same content and differs otherwise', () => {
    expect(etagOf('a')).toBe(etagOf('a'));
    expect(etagOf('a')).not.toBe(etagOf('b'));
    expect(etagOf('a', true)).toBe(`W/${etagOf('a')}`);
  });

  it('matches If-None-Match lists with the weak comparison', () => {
    const tag = etagOf('x');
    expect(ifNoneMatchHits(undefined, tag)).toBe(false);
    expect(ifNoneMatchHits(tag, tag)).toBe(true);
    expect(ifNoneMatchHits(`"other", W/${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHits('*', tag)).toBe(true);
    expect(ifNoneMatchHits('"other"', tag)).toBe(false);
  });
});
