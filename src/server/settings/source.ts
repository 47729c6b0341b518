import { createHash } from 'node:crypto';
import { parseServerConfig, readConfigJson, type ServerConfig } from '../config/file.ts';
import type { ConfigSource } from '../config/source.ts';
import type { Logger } from '../log.ts';
import type { AppDatabase } from '../storage/open.ts';
import { currentSettings, SETTINGS_TOPIC, type SettingsSource } from './commands.ts';

/**
 * The configuration in force, kept in the database as versions (see commands.ts) and served from memory. Two ways
 * in, both recorded in the history: the settings pages (`save`), and the configuration file — read at start and on
 * SIGHUP, and made the current version whenever its content changed since it was last read. So the newest change
 * wins, whichever way it came; a file left as it was never undoes what was saved in the browser.
 *
 * Every instance on the database hears of a new version (PostgreSQL NOTIFY) and loads it; a request in flight keeps
 * the configuration it started with.
 */
export interface SettingsConfigSource extends ConfigSource {
  /** The version in force (null: nothing saved yet, and no file) and its document, in the file's format. */
  current(): { version: number | null; document: ConfigDocument };
  /** Checks a document as the server would serve it (secrets from the environment): ConfigFileError with issues. */
  validate(document: unknown): ServerConfig;
  /** Validates, stores a new version (refused if `baseVersion` is not the current one) and puts it in force. */
  save(document: unknown, meta: { author: string; source: Exclude<SettingsSource, 'file'>; note?: string | null; baseVersion: number | null }): Promise<{ version: number }>;
  /** Stops listening for new versions. */
  close(): void;
}

/** The configuration as a file holds it: `{"widgets": […], "helpdesk": {…}}`. */
export type ConfigDocument = { widgets: unknown[]; helpdesk?: unknown } & Record<string, unknown>;

const EMPTY: ConfigDocument = { widgets: [] };

/** The file, read and checked: a bad one is refused before anything else starts (or, on SIGHUP, logged and left). */
function readConfigFile(path: string, env: Record<string, string | undefined>): { document: ConfigDocument; hash: string } {
  const document = readConfigJson(path) as ConfigDocument;
  parseServerConfig(document, env, `configuration file ${path}`);
  // Of the content, not the bytes: reformatting the file is not a change.
  return { document, hash: createHash('sha256').update(JSON.stringify(document)).digest('base64url') };
}

/**
 * Checks the file (when there is one) before the database is opened, so a bad file is a bad start; then call
 * `open` with the database.
 */
export function prepareSettings(options: { file?: string | undefined; env: Record<string, string | undefined> }): { open(db: AppDatabase, log: Logger, now: () => number): Promise<SettingsConfigSource> } {
  const { file, env } = options;
  let fromFile = file ? readConfigFile(file, env) : null;
  return {
    async open(db, log, now) {
      const importFile = async () => {
        if (!file || !fromFile) return null;
        return (await db.write('settings.importFile', { document: JSON.stringify(fromFile.document), hash: fromFile.hash, path: file })).version;
      };
      await importFile();

      let version: number | null = null;
      let document: ConfigDocument = EMPTY;
      let config: ServerConfig = parseServerConfig(EMPTY, env);
      let loadedAt = now();
      const put = (next: number | null, nextDocument: ConfigDocument, nextConfig: ServerConfig) => {
        [version, document, config, loadedAt] = [next, nextDocument, nextConfig, now()];
      };

      /** Loads the newest version if it is newer than the one in force. */
      const load = async (): Promise<ServerConfig> => {
        const row = await db.read((q) => currentSettings(q));
        if (!row || (version !== null && Number(row.id) <= version)) return config;
        const stored = JSON.parse(row.document) as ConfigDocument;
        put(Number(row.id), stored, parseServerConfig(stored, env, `settings version ${row.id}`));
        log.info('config.loaded', { version: Number(row.id), widgets: [...config.widgets.keys()] });
        return config;
      };
      await load();

      const unsubscribe = db.subscribe((event) => {
        if (event.topic !== SETTINGS_TOPIC) return;
        // A version this instance cannot serve (another instance has a secret this one lacks) is logged, not applied.
        load().catch((error: Error) => log.error('config.load_failed', { error: error.message }));
      });

      const source: SettingsConfigSource = {
        get: (widgetId) => config.widgets.get(widgetId),
        all: () => config.widgets,
        helpdesk: () => config.helpdesk,
        description: file ?? 'the settings in the database',
        get loadedAt() {
          return loadedAt;
        },
        current: () => ({ version, document }),
        validate: (input) => parseServerConfig(input, env, 'settings'),
        async save(input, meta) {
          const checked = parseServerConfig(input, env, 'settings');
          const saved = await db.write('settings.save', { document: JSON.stringify(input), author: meta.author, source: meta.source, note: meta.note ?? null, baseVersion: meta.baseVersion });
          if (version === null || saved.version > version) put(saved.version, input as ConfigDocument, checked);
          return saved;
        },
        async reload() {
          if (file) fromFile = readConfigFile(file, env);
          await importFile();
          return load();
        },
        close: unsubscribe,
      };
      return source;
    },
  };
}
