/**
 * 128 random bits as text, for idempotency keys. Not `crypto.randomUUID`: it exists only in secure contexts,
 * and plain-http sites need keys too.
 */
export const randomId = (): string => crypto.getRandomValues(new Uint32Array(4)).join('-');
