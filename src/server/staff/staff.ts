import { createHash, randomBytes, randomUUID, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ConversationChannel } from '../../contract/helpdesk.ts';
import { CommandError, type Queryable, type Tx } from '../storage/database.ts';

/**
 * The people of the helpdesk: admins (everything, settings and staff included) and agents (the conversations of their
 * groups and channels). Passwords are hashed with scrypt — memory-hard — with a salt of their own; sessions are known
 * by the hash of their cookie.
 */

export type Role = 'admin' | 'agent';
export type ChaportMapping = 'operator' | 'create' | 'none';
export type AgentStatus = 'online' | 'away';

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Group ids; empty means every group. */
  groups: string[];
  channels: ConversationChannel[];
  /** How this person's replies reach Chaport: as a given operator, as one created on the first reply, or not at all. */
  chaport: { mapping: ChaportMapping; operatorId: string | null };
  status: AgentStatus;
  hasPassword: boolean;
  createdAt: string;
  disabled: boolean;
}

export interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  groups_json: string;
  channels_json: string;
  password_hash: string | null;
  chaport_mapping: ChaportMapping;
  chaport_operator_id: string | null;
  status: AgentStatus;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

export const staffView = (row: StaffRow): StaffMember => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  groups: JSON.parse(row.groups_json) as string[],
  channels: JSON.parse(row.channels_json) as ConversationChannel[],
  chaport: { mapping: row.chaport_mapping, operatorId: row.chaport_operator_id },
  status: row.status,
  hasPassword: row.password_hash !== null,
  createdAt: new Date(Number(row.created_at)).toISOString(),
  disabled: row.disabled_at !== null,
});

// --- Passwords -----------------------------------------------------------------------------------------

/** scrypt's cost: 2^15 × 8 × 128 bytes = 32 MiB and ~0.1 s per hash on a small server; stored with each hash. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

const scrypt = (password: string, salt: Buffer, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: 128 * options.N! * options.r! * 2 }, (error, key) => (error ? reject(error) : resolve(key))));

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash, so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // Without a stored hash, spend the same time anyway: the answer must not tell which e-mails exist.
  const [scheme, n, r, p, salt, hash] = (stored ?? `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${'A'.repeat(22)}$${'A'.repeat(43)}`).split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password a person can type and a machine cannot guess: 16 random characters, from the command line or an invite. */
export const generatePassword = () => randomBytes(12).toString('base64url');

export const PASSWORD_RULE = 'must be 10 to 200 characters';
export const passwordAcceptable = (password: unknown): password is string => typeof password === 'string' && password.length >= 10 && password.length <= 200;

// --- Sessions ------------------------------------------------------------------------------------------

export const SESSION_COOKIE = 'ow_session';
/** Idle this long, a session ends; it never outlives SESSION_MAX_MS. */
export const SESSION_IDLE_MS = 24 * 3600_000;
export const SESSION_MAX_MS = 14 * 24 * 3600_000;
export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('base64url');

export interface SessionInfo {
  staff: StaffMember;
  csrf: string;
  expiresAt: number;
}

// --- Commands -----------------------------------------------------------------------------------------

export interface NewStaff {
  email: string;
  name: string;
  role: Role;
  groups: string[];
  channels: ConversationChannel[];
  passwordHash: string | null;
  chaport: { mapping: ChaportMapping; operatorId: string | null };
}

export const staffCommands = {
  async 'staff.create'(tx: Tx, input: NewStaff): Promise<StaffMember> {
    const email = input.email.trim().toLowerCase();
    const exists = await tx.get('SELECT id FROM staff WHERE email = ?', [email]);
    if (exists) throw new CommandError('conflict', `${email} is already a staff member`, { field: 'email' });
    const row: StaffRow = {
      id: `staff_${randomUUID().slice(0, 12)}`,
      email,
      name: input.name.trim(),
      role: input.role,
      groups_json: JSON.stringify(input.groups),
      channels_json: JSON.stringify(input.channels),
      password_hash: input.passwordHash,
      chaport_mapping: input.chaport.mapping,
      chaport_operator_id: input.chaport.operatorId,
      status: 'away',
      created_at: tx.now,
      updated_at: tx.now,
      disabled_at: null,
    };
    await tx.run(
      `INSERT INTO staff (id, email, name, role, groups_json, channels_json, password_hash, chaport_mapping, chaport_operator_id, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.id, row.email, row.name, row.role, row.groups_json, row.channels_json, row.password_hash, row.chaport_mapping, row.chaport_operator_id, row.status, row.created_at, row.updated_at],
    );
    return staffView(row);
  },

  async 'staff.update'(
    tx: Tx,
    { id, changes }: { id: string; changes: Partial<Omit<NewStaff, 'email'>> & { status?: AgentStatus; disabled?: boolean } },
  ): Promise<StaffMember> {
    const row = await tx.get<StaffRow>('SELECT * FROM staff WHERE id = ?', [id]);
    if (!row) throw new CommandError('not_found', `No staff member ${id}`);
    if (changes.role === 'agent' && row.role === 'admin') {
      const admins = await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM staff WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?", [id]);
      if (Number(admins?.n ?? 0) === 0) throw new CommandError('conflict', 'The last admin cannot stop being one', { field: 'role' });
    }
    if (changes.disabled && row.role === 'admin') {
      const admins = await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM staff WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?", [id]);
      if (Number(admins?.n ?? 0) === 0) throw new CommandError('conflict', 'The last admin cannot be disabled', { field: 'disabled' });
    }
    const next: StaffRow = {
      ...row,
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.groups !== undefined ? { groups_json: JSON.stringify(changes.groups) } : {}),
      ...(changes.channels !== undefined ? { channels_json: JSON.stringify(changes.channels) } : {}),
      ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
      ...(changes.chaport !== undefined ? { chaport_mapping: changes.chaport.mapping, chaport_operator_id: changes.chaport.operatorId } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.disabled !== undefined ? { disabled_at: changes.disabled ? (row.disabled_at ?? tx.now) : null } : {}),
      updated_at: tx.now,
    };
    await tx.run(
      `UPDATE staff SET name = ?, role = ?, groups_json = ?, channels_json = ?, password_hash = ?, chaport_mapping = ?, chaport_operator_id = ?, status = ?,
         disabled_at = ?, updated_at = ? WHERE id = ?`,
      [next.name, next.role, next.groups_json, next.channels_json, next.password_hash, next.chaport_mapping, next.chaport_operator_id, next.status, next.disabled_at, next.updated_at, id],
    );
    // A new password or a disabled account ends every session of that person.
    if (changes.passwordHash !== undefined || changes.disabled) await tx.run('DELETE FROM sessions WHERE staff_id = ?', [id]);
    return staffView(next);
  },

  /** Starts a session; returns nothing secret (the caller holds the cookie value, only its hash is stored). */
  async 'sessions.create'(tx: Tx, { idHash, staffId, csrf }: { idHash: string; staffId: string; csrf: string }): Promise<void> {
    await tx.run('INSERT INTO sessions (id_hash, staff_id, csrf, created_at, expires_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)', [idHash, staffId, csrf, tx.now, tx.now + SESSION_MAX_MS, tx.now]);
    // Old, idle or expired sessions of anyone go now: the table never grows without bound.
    await tx.run('DELETE FROM sessions WHERE expires_at < ? OR seen_at < ?', [tx.now, tx.now - SESSION_IDLE_MS]);
  },
  async 'sessions.seen'(tx: Tx, { idHash }: { idHash: string }): Promise<void> {
    await tx.run('UPDATE sessions SET seen_at = ? WHERE id_hash = ?', [tx.now, idHash]);
  },
  async 'sessions.end'(tx: Tx, { idHash }: { idHash: string }): Promise<void> {
    await tx.run('DELETE FROM sessions WHERE id_hash = ?', [idHash]);
  },
  /** The operator created in Chaport for this person's first reply. */
  async 'staff.mapOperator'(tx: Tx, { id, operatorId }: { id: string; operatorId: string }): Promise<void> {
    await tx.run("UPDATE staff SET chaport_mapping = 'operator', chaport_operator_id = ?, updated_at = ? WHERE id = ?", [operatorId, tx.now, id]);
  },
};

export async function findStaffByEmail(q: Queryable, email: string): Promise<StaffRow | undefined> {
  return q.get<StaffRow>('SELECT * FROM staff WHERE email = ?', [email.trim().toLowerCase()]);
}

export async function getStaff(q: Queryable, id: string): Promise<StaffMember | null> {
  const row = await q.get<StaffRow>('SELECT * FROM staff WHERE id = ?', [id]);
  return row ? staffView(row) : null;
}

export async function listStaff(q: Queryable): Promise<StaffMember[]> {
  return (await q.all<StaffRow>('SELECT * FROM staff ORDER BY name, email')).map(staffView);
}

export async function findSession(q: Queryable, sessionId: string, now: number): Promise<(SessionInfo & { seenAt: number }) | null> {
  const row = await q.get<StaffRow & { csrf: string; expires_at_session: number; seen_at: number }>(
    `SELECT staff.*, sessions.csrf AS csrf, sessions.expires_at AS expires_at_session, sessions.seen_at AS seen_at
     FROM sessions JOIN staff ON staff.id = sessions.staff_id
     WHERE sessions.id_hash = ? AND sessions.expires_at > ? AND sessions.seen_at > ? AND staff.disabled_at IS NULL`,
    [hashSessionId(sessionId), now, now - SESSION_IDLE_MS],
  );
  return row ? { staff: staffView(row), csrf: row.csrf, expiresAt: Number(row.expires_at_session), seenAt: Number(row.seen_at) } : null;
}

/** Whether a person may see a conversation: admins all; agents those of their channels and groups. */
export function canSee(staff: StaffMember, conversation: { channel: ConversationChannel; group: string }): boolean {
  if (staff.role === 'admin') return true;
  return staff.channels.includes(conversation.channel) && (staff.groups.length === 0 || staff.groups.includes(conversation.group));
}
