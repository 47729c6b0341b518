import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CommandError, type Queryable, type Tx } from '../storage/database.ts';

/**
 * API tokens for machines (other helpdesks, scripts): 256 random bits, shown once, kept only as a SHA-256 hash —
 * a slow KDF adds nothing to a secret that cannot be guessed — with a name and a last-used time.
 */
const PREFIX = 'owt_';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
export const looksLikeToken = (value: string) => value.startsWith(PREFIX) && /^owt_[A-Za-z0-9_-]{43}$/.test(value);

export interface TokenInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface Row {
  id: string;
  name: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const info = (row: Row): TokenInfo => ({ id: row.id, name: row.name, createdAt: iso(row.created_at)!, lastUsedAt: iso(row.last_used_at), revokedAt: iso(row.revoked_at) });

/** A new token: the secret for the caller to show once, and what is stored. */
export function newToken(): { token: string; hash: string; id: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), id: `tok_${randomUUID().slice(0, 8)}` };
}

export const tokenCommands = {
  async 'tokens.create'(tx: Tx, { id, name, hash }: { id: string; name: string; hash: string }): Promise<TokenInfo> {
    if (!name.trim() || name.length > 100) throw new CommandError('invalid_name', 'A token needs a name of 1–100 characters');
    const row: Row = { id, name: name.trim(), hash, created_at: tx.now, last_used_at: null, revoked_at: null };
    await tx.run('INSERT INTO api_tokens (id, name, hash, created_at) VALUES (?, ?, ?, ?)', [row.id, row.name, row.hash, row.created_at]);
    return info(row);
  },
  async 'tokens.revoke'(tx: Tx, { id }: { id: string }): Promise<boolean> {
    return (await tx.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [tx.now, id])).changes > 0;
  },
  async 'tokens.used'(tx: Tx, { id }: { id: string }): Promise<void> {
    await tx.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [tx.now, id]);
  },
};

export async function findToken(q: Queryable, token: string): Promise<TokenInfo | null> {
  const row = await q.get<Row>('SELECT * FROM api_tokens WHERE hash = ? AND revoked_at IS NULL', [hashToken(token)]);
  return row ? info(row) : null;
}

export async function listTokens(q: Queryable): Promise<TokenInfo[]> {
  return (await q.all<Row>('SELECT * FROM api_tokens ORDER BY created_at')).map(info);
}
