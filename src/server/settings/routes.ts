import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { ConfigFileError } from '../config/file.ts';
import type { AuthEnv, Principal } from '../http/auth.ts';
import { ApiError, InvalidFieldsError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { CommandError } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';
import { getSettingsVersion, listSettingsVersions, type SettingsVersionRow } from './commands.ts';
import { PREVIEW_PREFIX } from './preview.ts';
import type { ConfigDocument, SettingsConfigSource } from './source.ts';

/** A whole configuration is small; this leaves room for many widgets with all their texts. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

const who = (principal: Principal) => (principal.kind === 'staff' ? `${principal.staff.name} <${principal.staff.email}>` : `token ${principal.token.name}`);

const refused = (error: unknown): never => {
  if (error instanceof ConfigFileError) throw new InvalidFieldsError(error.message.replace(/^Invalid settings:\n/, '').split('\n').join('; '), error.issues);
  if (error instanceof CommandError && error.code === 'conflict') throw new ApiError(409, 'conflict', error.message);
  throw error;
};

const body = async (c: Context) => {
  const input = await readJson(c, MAX_DOCUMENT_BYTES);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ApiError(400, 'invalid_body', 'The body must be a JSON object');
  return input as Record<string, unknown>;
};

const baseVersionOf = (input: Record<string, unknown>): number | null => {
  const base = input.baseVersion;
  if (base === null || (typeof base === 'number' && Number.isInteger(base) && base > 0)) return base;
  throw new ApiError(400, 'invalid_body', 'baseVersion: must be the version you started from (a number), or null before the first save', 'baseVersion');
};

const documentOf = (input: Record<string, unknown>): ConfigDocument => {
  const document = input.document;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ApiError(400, 'invalid_body', 'document: must be the configuration, an object', 'document');
  return document as ConfigDocument;
};

const versionView = (row: Omit<SettingsVersionRow, 'document'>) => ({
  version: Number(row.id),
  author: row.author,
  source: row.source,
  note: row.note,
  changes: JSON.parse(row.changes) as string[],
  createdAt: new Date(Number(row.created_at)).toISOString(),
});

/** The secrets a document names, and whether this server has each (never their values). */
function secretsOf(document: ConfigDocument, env: Record<string, string | undefined>): { name: string; set: boolean }[] {
  const names = new Set<string>();
  for (const widget of document.widgets as { channels?: { type?: string; display?: string; apiTokenEnv?: string }[] }[])
    for (const channel of widget.channels ?? []) if (channel.type === 'chaport' && channel.display === 'hideWhenOffline') names.add(channel.apiTokenEnv ?? 'CHAPORT_API_TOKEN');
  const helpdesk = document.helpdesk as { chaport?: { apiTokenEnv?: string }; webhooks?: { secretEnv?: string }[] } | undefined;
  if (helpdesk?.chaport) names.add(helpdesk.chaport.apiTokenEnv ?? 'CHAPORT_API_TOKEN');
  for (const endpoint of helpdesk?.webhooks ?? []) if (endpoint.secretEnv) names.add(endpoint.secretEnv);
  return [...names].map((name) => ({ name, set: !!env[name] }));
}

/**
 * `/v1/settings` (admins): the configuration in force, saving a new version of it, the history and rolling back,
 * export and import in the file's format, and drafts for the live preview.
 */
export function settingsRoutes({ settings, db, env, file, now = Date.now }: { settings: SettingsConfigSource; db: AppDatabase; env: Record<string, string | undefined>; file: string | null; now?: () => number }): Hono<AuthEnv> {
  const api = new Hono<AuthEnv>();

  api.get('/', (c) => {
    const { version, document } = settings.current();
    c.header('Cache-Control', 'no-store');
    return c.json({ version, document, file, secrets: secretsOf(document, env) });
  });

  api.put('/', async (c) => {
    const input = await body(c);
    const document = documentOf(input);
    const note = typeof input.note === 'string' ? input.note.slice(0, 500) : null;
    const saved = await settings.save(document, { author: who(c.var.principal), source: 'browser', note, baseVersion: baseVersionOf(input) }).catch(refused);
    return c.json({ version: saved.version, secrets: secretsOf(document, env) });
  });

  api.post('/import', async (c) => {
    const input = await body(c);
    const saved = await settings.save(documentOf(input), { author: who(c.var.principal), source: 'import', note: 'Imported from a file', baseVersion: baseVersionOf(input) }).catch(refused);
    return c.json({ version: saved.version }, 201);
  });

  api.get('/export', (c) => {
    const { version, document } = settings.current();
    c.header('Content-Disposition', `attachment; filename="omniwidget-settings-v${version ?? 0}.json"`);
    c.header('Cache-Control', 'no-store');
    return c.body(`${JSON.stringify(document, null, 2)}\n`, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  api.get('/versions', async (c) => {
    const before = Number(c.req.query('before')) || undefined;
    const rows = await db.read((q) => listSettingsVersions(q, 50, before));
    return c.json({ versions: rows.map(versionView), next: rows.length === 50 ? Number(rows.at(-1)!.id) : null });
  });

  const versionParam = (c: Context) => {
    const id = Number(c.req.param('version'));
    if (!Number.isInteger(id) || id < 1) throw new ApiError(400, 'bad_request', 'The version must be a positive whole number', 'version');
    return id;
  };
  const stored = async (id: number) => {
    const row = await db.read((q) => getSettingsVersion(q, id));
    if (!row) throw new ApiError(404, 'not_found', `No settings version ${id}`);
    return row;
  };
  api.get('/versions/:version', async (c) => {
    const row = await stored(versionParam(c));
    return c.json({ ...versionView(row), document: JSON.parse(row.document) as ConfigDocument });
  });
  api.post('/versions/:version/restore', async (c) => {
    const row = await stored(versionParam(c));
    const input = await body(c);
    const saved = await settings
      .save(JSON.parse(row.document) as ConfigDocument, { author: who(c.var.principal), source: 'rollback', note: `Rolled back to version ${row.id}`, baseVersion: baseVersionOf(input) })
      .catch(refused);
    return c.json({ version: saved.version }, 201);
  });

  // The live preview: one widget as edited, served under an id no one can guess for an hour (see preview.ts).
  api.post('/preview', async (c) => {
    const input = await body(c);
    const widget = input.widget;
    if (typeof widget !== 'object' || widget === null || Array.isArray(widget)) throw new ApiError(400, 'invalid_body', 'widget: must be a widget, an object', 'widget');
    const given = typeof input.id === 'string' && input.id.startsWith(PREVIEW_PREFIX) && /^[\w-]{20,64}$/.test(input.id) ? input.id : null;
    const id = given ?? `${PREVIEW_PREFIX}${randomBytes(16).toString('base64url')}`;
    // Served to the preview page on this server's own origin, and never a message sent from it.
    const draft = { ...(widget as Record<string, unknown>), id, allowedOrigins: [new URL(c.req.url).origin] };
    try {
      settings.validate({ widgets: [draft] });
    } catch (error) {
      if (error instanceof ConfigFileError) {
        const issues = error.issues.map((issue) => ({ ...issue, field: issue.field.replace(/^widgets\[0\]\.?/, '') }));
        throw new InvalidFieldsError(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '), issues);
      }
      throw error;
    }
    await db.write('settings.putPreview', { id, widget: JSON.stringify(draft) });
    return c.json({ id, expiresAt: new Date(now() + 3600_000).toISOString() }, 201);
  });

  return api;
}
