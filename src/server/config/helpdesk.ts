import type { ChaportIntegration, HelpdeskSettings } from '../../contract/helpdesk.ts';

/** The Chaport account the helpdesk is connected to. Holds a secret: never serialize it. */
export interface ChaportConnection {
  apiUrl: string;
  token: string;
  region: 'com' | 'ru';
  settings: ChaportIntegration & { defaultGroup: string };
}

/** The helpdesk side of the configuration, checked and with its secrets from the environment. */
export interface HelpdeskConfig {
  settings: HelpdeskSettings;
  /** Where Chaport and browsers reach this server, without a trailing slash; null if not configured. */
  publicUrl: string | null;
  chaport: ChaportConnection | null;
  /** Signing secrets of the outbound webhook endpoints, by endpoint id. */
  webhookSecrets: ReadonlyMap<string, string>;
}

export const chaportApiUrl = (settings: Pick<ChaportIntegration, 'apiUrl' | 'region'>) =>
  (settings.apiUrl ?? `https://app.chaport.${settings.region === 'ru' ? 'ru' : 'com'}/api/v1`).replace(/\/+$/, '');

/**
 * Checks what the schema cannot: references between fields (groups named by rules exist), and the secrets the
 * settings name (present in the environment). Each problem names its field, like the schema's own errors.
 */
export function resolveHelpdesk(settings: HelpdeskSettings, env: Record<string, string | undefined>, fail: (message: string) => Error): HelpdeskConfig {
  const problems: string[] = [];
  const groups = new Set(settings.groups.map((group) => group.id));
  const seenGroups = new Set<string>();
  settings.groups.forEach((group, index) => {
    if (seenGroups.has(group.id)) problems.push(`helpdesk.groups[${index}].id: "${group.id}" is used by another group`);
    seenGroups.add(group.id);
  });
  const knownGroup = (id: string, field: string) => !groups.has(id) && problems.push(`${field}: no group "${id}" (groups: ${[...groups].join(', ')})`);

  let chaport: ChaportConnection | null = null;
  if (settings.chaport) {
    const integration = settings.chaport;
    const defaultGroup = integration.defaultGroup ?? settings.groups[0]!.id;
    knownGroup(defaultGroup, 'helpdesk.chaport.defaultGroup');
    integration.routing.forEach((rule, index) => knownGroup(rule.group, `helpdesk.chaport.routing[${index}].group`));
    if (!settings.publicUrl) problems.push('helpdesk.publicUrl: is required with helpdesk.chaport (Chaport sends its webhooks there)');
    const token = env[integration.apiTokenEnv];
    if (!token) problems.push(`helpdesk.chaport.apiTokenEnv: the Chaport API token is not in the environment variable ${integration.apiTokenEnv}`);
    else chaport = { apiUrl: chaportApiUrl(integration), token, region: integration.region, settings: { ...integration, defaultGroup } };
  }

  settings.automation.forEach((rule, index) => {
    rule.conditions.forEach((condition, at) => condition.field === 'group' && knownGroup(condition.value, `helpdesk.automation[${index}].conditions[${at}].value`));
    rule.actions.forEach((action, at) => action.type === 'setGroup' && knownGroup(action.group, `helpdesk.automation[${index}].actions[${at}].group`));
  });

  const webhookSecrets = new Map<string, string>();
  settings.webhooks.forEach((endpoint, index) => {
    const secret = env[endpoint.secretEnv];
    if (!secret) problems.push(`helpdesk.webhooks[${index}].secretEnv: the signing secret is not in the environment variable ${endpoint.secretEnv}`);
    // Several, space-separated, during a rotation: every one signs, so receivers can switch at their own pace.
    else if (!secret.trim().split(/\s+/).every((one) => /^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(one)))
      problems.push(`helpdesk.webhooks[${index}].secretEnv: ${endpoint.secretEnv} must hold Standard Webhooks secrets: "whsec_" and at least 16 bytes in base64, space-separated`);
    else webhookSecrets.set(endpoint.id, secret);
  });

  if (problems.length) throw fail(problems.join('\n'));
  return { settings, publicUrl: settings.publicUrl?.replace(/\/+$/, '') ?? null, chaport, webhookSecrets };
}
