import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { DEFAULT_TEXTS, type TextKey } from '../../contract/texts.ts';
import { LOCALES } from '../../contract/wire.ts';
import { channelRules, channelShapes, widgetConfigEntries, widgetConfigSchema, type ChaportChannel, type WidgetConfig } from '../../contract/config.ts';
import { formatIssues, issueMessage, issuePath } from '../../contract/issues.ts';
import { helpdeskSettingsSchema } from '../../contract/helpdesk.ts';
import { resource, type Resource } from '../http/compress.ts';
import { readableOn } from './contrast.ts';
import { resolveHelpdesk, type HelpdeskConfig } from './helpdesk.ts';
import { etagOf } from '../http/etag.ts';

/**
 * The server's configuration file: `{"widgets": [ … ]}`, each widget being the public configuration of
 * `src/contract` plus server-only fields on Chaport channels. Strict objects here (unlike the SDK's lenient
 * parse) so a misspelt key is refused at start instead of silently ignored.
 */
const serverChaportEntries = {
  ...channelShapes.chaport,
  /** Chaport REST API base; defaults by region. The sandbox's fake API in the demo and tests. */
  apiUrl: v.optional(v.pipe(v.string(), v.url('must be a URL'))),
  /** Name of the environment variable holding the Chaport API token. The token itself never sits in this file. */
  apiTokenEnv: v.optional(v.pipe(v.string(), v.regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')), 'CHAPORT_API_TOKEN'),
};

/** Overrides of the default texts, per language and key: known keys only, so a typo is refused at start. */
const textOverride = v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(300, 'must be at most 300 characters')));
const textTable = v.strictObject(Object.fromEntries(Object.keys(DEFAULT_TEXTS.en).map((key) => [key, textOverride])) as Record<TextKey, typeof textOverride>);
const textOverridesSchema = v.optional(v.strictObject({ en: v.optional(textTable), ru: v.optional(textTable) }));

const { chaport: _chaport, ...otherShapes } = channelShapes;
const fileChannel = v.variant(
  'type',
  [
    v.strictObject(serverChaportEntries),
    ...Object.values(otherShapes).map((entries) => v.strictObject(entries)),
  ] as unknown as [ReturnType<typeof v.strictObject<typeof serverChaportEntries>>],
  `must be one of: ${Object.keys(channelShapes).join(', ')}`,
);

// The text colour on the accent is computed (see contrast.ts), never configured.
const { textColor: _computed, ...fileThemeEntries } = widgetConfigEntries.theme.wrapped.entries;

const fileWidgetObject = v.strictObject({
  ...widgetConfigEntries,
  /** Overrides of the default texts, per language: `{"en": {"title": "Questions?"}}`. */
  texts: textOverridesSchema,
  theme: v.optional(v.strictObject(fileThemeEntries), {}),
  channels: v.pipe(v.array(fileChannel), v.minLength(1, 'needs at least one channel')),
});
const fileWidget = v.pipe(fileWidgetObject, channelRules<v.InferOutput<typeof fileWidgetObject>>());

export const configFileSchema = v.pipe(
  v.strictObject({
    // None is allowed: a server set up in the browser starts empty, and its first widget is made in the settings.
    widgets: v.array(fileWidget),
    /** The helpdesk side: groups, the Chaport connection, rules, outbound webhooks. */
    helpdesk: v.optional(helpdeskSettingsSchema, {}),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const seen = new Set<string>();
    dataset.value.widgets.forEach((widget, index) => {
      if (seen.has(widget.id))
        addIssue({
          message: `"${widget.id}" is used by another widget`,
          path: [
            { type: 'object', origin: 'value', input: dataset.value, key: 'widgets', value: dataset.value.widgets },
            { type: 'array', origin: 'value', input: dataset.value.widgets, key: index, value: widget },
            { type: 'object', origin: 'value', input: widget, key: 'id', value: widget.id },
          ],
        });
      seen.add(widget.id);
    });
  }),
);

/** What the server needs to ask Chaport about one chat channel's operators. Holds a secret: never serialize it. */
export interface ChaportAccount {
  channelId: string;
  apiUrl: string;
  token: string;
}

/** One widget, ready to serve: its public JSON, ETag and compressed forms are made once per load. */
export interface WidgetEntry {
  config: WidgetConfig;
  json: string;
  etag: string;
  /** The JSON as served: identity, brotli, gzip. */
  resource: Resource;
  /** Chat channels whose presence the server computes, keyed by channel id. */
  chaport: Map<string, ChaportAccount>;
}

export type WidgetRegistry = ReadonlyMap<string, WidgetEntry>;

/** A configuration refused: its message names each bad field on a line; `issues` has them one by one. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Lines of `field: message` (how every check here words a problem) as issues. */
const issuesOf = (lines: string): { field: string; message: string }[] =>
  lines.split('\n').map((line) => {
    const at = line.indexOf(': ');
    return at > 0 ? { field: line.slice(0, at), message: line.slice(at + 2) } : { field: '', message: line };
  });

const defaultApiUrl = (region: ChaportChannel['region']) => `https://app.chaport.${region === 'ru' ? 'ru' : 'com'}/api/v1`;

/**
 * Validates a parsed configuration file and builds the registry. Errors name the field:
 * `widgets[0].channels[2].phone: must be an international number such as +79990001122`.
 */
export function parseConfigFile(input: unknown, env: Record<string, string | undefined> = process.env, source = 'configuration'): WidgetRegistry {
  return parseServerConfig(input, env, source).widgets;
}

/** Everything the configuration file says: the widgets, and the helpdesk with its secrets read from `env`. */
export interface ServerConfig {
  widgets: WidgetRegistry;
  helpdesk: HelpdeskConfig;
}

/** Validates a parsed configuration file; errors name the field, secrets come from `env` only. */
export function parseServerConfig(input: unknown, env: Record<string, string | undefined> = process.env, source = 'configuration'): ServerConfig {
  const result = v.safeParse(configFileSchema, input);
  if (!result.success)
    throw new ConfigFileError(
      `Invalid ${source}:\n${formatIssues(result.issues)}`,
      result.issues.map((issue) => ({ field: issuePath(issue), message: issueMessage(issue) })),
    );
  const helpdesk = resolveHelpdesk(result.output.helpdesk, env, (message) => new ConfigFileError(`Invalid ${source}:\n${message}`, issuesOf(message)));

  const registry = new Map<string, WidgetEntry>();
  result.output.widgets.forEach((widget, widgetIndex) => {
    const chaport = new Map<string, ChaportAccount>();
    widget.channels.forEach((channel, channelIndex) => {
      if (channel.type !== 'chaport' || channel.display !== 'hideWhenOffline') return;
      const server = channel as v.InferOutput<ReturnType<typeof v.strictObject<typeof serverChaportEntries>>>;
      const token = env[server.apiTokenEnv];
      if (!token)
      {
        const problem = `widgets[${widgetIndex}].channels[${channelIndex}].display: "hideWhenOffline" needs a Chaport API token in the environment variable ${server.apiTokenEnv}`;
        throw new ConfigFileError(`Invalid ${source}:\n${problem}`, issuesOf(problem));
      }
      chaport.set(channel.id, { channelId: channel.id, apiUrl: (server.apiUrl ?? defaultApiUrl(channel.region)).replace(/\/+$/, ''), token });
    });
    // The public projection: the shared schema keeps only public keys, so server-only fields cannot leak.
    const texts = Object.fromEntries(LOCALES.map((locale) => [locale, { ...DEFAULT_TEXTS[locale], ...widget.texts?.[locale] }]));
    const config = v.parse(widgetConfigSchema, { ...widget, texts, theme: { ...widget.theme, textColor: readableOn(widget.theme.color ?? '#1f6feb') } });
    const json = JSON.stringify(config);
    const etag = etagOf(json);
    registry.set(config.id, { config, json, etag, resource: resource(json, etag, 'application/json; charset=utf-8'), chaport });
  });
  return { widgets: registry, helpdesk };
}

export function loadConfigFile(path: string, env: Record<string, string | undefined> = process.env): WidgetRegistry {
  return loadServerConfig(path, env).widgets;
}

export function loadServerConfig(path: string, env: Record<string, string | undefined> = process.env): ServerConfig {
  return parseServerConfig(readConfigJson(path), env, `configuration file ${path}`);
}

/** The configuration file's JSON, not yet checked; a file that cannot be read or parsed says which and why. */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`Cannot read the configuration file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(`The configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
