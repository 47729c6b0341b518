import { useStore } from '@nanostores/preact';
import { useEffect, useState } from 'preact/hooks';
import { routeChat } from '../../contract/routing.ts';
import { DeskApiError } from '../api.ts';
import { settingsApi, type ChaportState } from './api.ts';
import { CheckField, NumberField, PartError, SelectField, TextField } from './fields.tsx';
import { $draft, $saved, update, valueAt } from './store.ts';

/**
 * The helpdesk side: groups, the Chaport integration (connection, default group, data panel, operator mapping
 * policy, start-page routing with a test box, idle completion) and the automation rules.
 */

type Group = { id: string; name: string };
type Rule = { startPage: string; group: string };

function useGroups(): Group[] {
  useStore($draft);
  return ((valueAt('helpdesk.groups') as Group[] | undefined) ?? [{ id: 'general', name: 'General' }]).filter((group) => group?.id);
}

/** Buttons to move or remove item `index` of the list at `path`. */
function RowActions({ path, index, count, name }: { path: string; index: number; count: number; name: string }) {
  const list = (valueAt(path) as unknown[]) ?? [];
  const move = (to: number) => {
    const next = [...list];
    next.splice(to, 0, ...next.splice(index, 1));
    update(path, next);
  };
  return (
    <div class="row-actions">
      <button type="button" class="secondary small-button" disabled={index === 0} aria-label={`Move ${name} up`} onClick={() => move(index - 1)}>
        ↑
      </button>
      <button type="button" class="secondary small-button" disabled={index === count - 1} aria-label={`Move ${name} down`} onClick={() => move(index + 1)}>
        ↓
      </button>
      <button type="button" class="secondary small-button" aria-label={`Remove ${name}`} onClick={() => update(path, list.filter((_, at) => at !== index))}>
        Remove
      </button>
    </div>
  );
}

function Groups() {
  useStore($draft);
  const groups = (valueAt('helpdesk.groups') as Group[] | undefined) ?? [];
  return (
    <fieldset>
      <legend>Groups</legend>
      <p class="muted small">Where conversations go; agents see the groups they belong to.</p>
      <PartError path="helpdesk.groups" />
      {groups.length === 0 && <p class="muted small">One group, General, until you add your own.</p>}
      <ol class="rows">
        {groups.map((group, index) => (
          <li key={index} class="row">
            <TextField path={`helpdesk.groups[${index}].name`} label="Name" required />
            <TextField path={`helpdesk.groups[${index}].id`} label="Id" hint="Used by rules." required />
            <RowActions path="helpdesk.groups" index={index} count={groups.length} name={`group ${group.name || index + 1}`} />
          </li>
        ))}
      </ol>
      <button type="button" class="secondary" onClick={() => update('helpdesk.groups', [...(groups.length ? groups : [{ id: 'general', name: 'General' }]), { id: `group-${groups.length + 1}`, name: '' }])}>
        Add a group
      </button>
    </fieldset>
  );
}

function Connection() {
  const saved = useStore($saved);
  const [state, setState] = useState<ChaportState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const savedChaport = !!(saved?.document.helpdesk as { chaport?: unknown } | undefined)?.chaport;
  useEffect(() => {
    settingsApi.chaport().then(setState, () => setState(null));
  }, [saved?.version]);
  const status = state?.status;
  return (
    <div class="connection-box" role="region" aria-label="Chaport connection">
      <p>
        <b>{!state?.connected ? 'Not connected.' : status?.ok ? 'Connected' : status ? 'Connection failed' : 'Connecting…'}</b>{' '}
        {status?.ok && (
          <span>
            to account {status.account ?? 'unknown'} ({state?.region === 'ru' ? 'app.chaport.ru' : 'app.chaport.com'}); webhooks: {status.subscribed.join(', ') || 'none'}; last event received:{' '}
            {status.lastEventAt ? new Date(status.lastEventAt).toLocaleString() : 'none yet'}.
          </span>
        )}
        {status && !status.ok && <span>{status.error}</span>}
      </p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        class="primary"
        disabled={busy || !savedChaport}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            setState(await settingsApi.connect());
          } catch (failure) {
            setError(failure instanceof DeskApiError ? failure.message : 'Connecting failed.');
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Connecting…' : 'Connect'}
      </button>
      {!savedChaport && <span class="muted small"> Save the integration first, then connect.</span>}
    </div>
  );
}

function RoutingTest({ rules, defaultGroup, groups }: { rules: Rule[]; defaultGroup: string; groups: Group[] }) {
  const [url, setUrl] = useState('');
  const name = (id: string) => groups.find((group) => group.id === id)?.name ?? id;
  const result = url ? routeChat(url, rules, defaultGroup) : null;
  return (
    <div class="field test-box">
      <label for="routing-test">Try a start page</label>
      <input id="routing-test" type="url" placeholder="https://acme.example/pricing?plan=pro" value={url} onInput={(event) => setUrl(event.currentTarget.value)} aria-describedby="routing-test-result" />
      <output id="routing-test-result" for="routing-test" aria-live="polite">
        {result ? `A chat started there goes to ${name(result.group)}${result.rule === null ? ' (no rule matches: the default group)' : ` (rule ${result.rule + 1})`}.` : ''}
      </output>
    </div>
  );
}

function Chaport() {
  const saved = useStore($saved);
  useStore($draft);
  const groups = useGroups();
  const groupOptions = groups.map((group) => [group.id, group.name || group.id] as const);
  const chaport = valueAt('helpdesk.chaport') as Record<string, unknown> | undefined;
  const [operators, setOperators] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    if (chaport) settingsApi.operators().then((found) => setOperators(found.operators), () => setOperators([]));
  }, [!!chaport, saved?.version]);
  if (!chaport)
    return (
      <fieldset>
        <legend>Chaport</legend>
        <p>Chats from Chaport come into the helpdesk as conversations, and agents answer them here as their Chaport operators.</p>
        <button type="button" class="primary" onClick={() => update('helpdesk.chaport', {})}>
          Add the Chaport integration
        </button>
      </fieldset>
    );
  const rules = (chaport.routing as Rule[] | undefined) ?? [];
  const tokenEnv = (chaport.apiTokenEnv as string | undefined) ?? 'CHAPORT_API_TOKEN';
  const tokenSet = saved?.secrets.find((secret) => secret.name === tokenEnv)?.set;
  const policy = (chaport.newStaff as { mapping?: string } | undefined)?.mapping ?? 'create';
  return (
    <fieldset>
      <legend>Chaport</legend>
      <Connection />
      <SelectField
        path="helpdesk.chaport.region"
        label="Region"
        options={[
          ['com', 'app.chaport.com'],
          ['ru', 'app.chaport.ru'],
        ]}
      />
      <TextField
        path="helpdesk.chaport.apiTokenEnv"
        label="Environment variable with the API token"
        placeholder="CHAPORT_API_TOKEN"
        hint={tokenSet === undefined ? 'Set it on the server: the token is never stored here or shown.' : tokenSet ? `${tokenEnv} is set on the server.` : `${tokenEnv} is not set on the server yet.`}
      />
      <SelectField path="helpdesk.chaport.defaultGroup" label="Default group for new chats" empty="The first group" options={groupOptions} />
      <SelectField
        path="helpdesk.chaport.panel"
        label="Where agents see the visitor's Chaport data"
        options={[
          ['integrations', 'A separate integrations panel'],
          ['info', 'In the information panel, under the recent cases'],
        ]}
      />
      <NumberField path="helpdesk.chaport.idleMinutes" label="Complete a chat after this many minutes of silence" min={1} max={1440} placeholder="10" />
      <CheckField path="helpdesk.chaport.syncAgentStatus" label="An agent's status in the desk (online / away) sets their Chaport operator's status" defaultValue={false} hint="So hiding the chat when every operator is offline follows the desk." />
      <div class="field">
        <label for="new-staff-policy">Staff added later answer chats</label>
        <select
          id="new-staff-policy"
          value={policy}
          onChange={(event) => {
            const mapping = event.currentTarget.value;
            update('helpdesk.chaport.newStaff', mapping === 'operator' ? { mapping, operatorId: operators[0]?.id ?? '' } : { mapping });
          }}
        >
          <option value="create">As a new Chaport operator with their name, made on their first reply</option>
          <option value="operator">As a chosen Chaport operator (shared)</option>
          <option value="none">Not at all, until an admin maps them</option>
        </select>
        <span class="hint">Chaport takes no avatar through its API: add photos in Chaport. Staff who share an operator reply under its name.</span>
      </div>
      {policy === 'operator' && (
        <SelectField
          path="helpdesk.chaport.newStaff.operatorId"
          label="Operator for staff added later"
          options={operators.map((operator) => [operator.id, operator.name] as const)}
          empty={operators.length ? undefined : 'No operators: connect first'}
        />
      )}
      <h3>Start-page routing</h3>
      <p class="muted small">The first rule that matches the page a chat starts on picks its group. "*" matches anything; a pattern starting with "/" is compared with the path.</p>
      <PartError path="helpdesk.chaport.routing" />
      <ol class="rows">
        {rules.map((_, index) => (
          <li key={index} class="row">
            <TextField path={`helpdesk.chaport.routing[${index}].startPage`} label="Start page" placeholder="/pricing*" required />
            <SelectField path={`helpdesk.chaport.routing[${index}].group`} label="Group" options={groupOptions} empty="Choose a group" />
            <RowActions path="helpdesk.chaport.routing" index={index} count={rules.length} name={`rule ${index + 1}`} />
          </li>
        ))}
      </ol>
      <button type="button" class="secondary" onClick={() => update('helpdesk.chaport.routing', [...rules, { startPage: '', group: groups[0]?.id ?? '' }])}>
        Add a start-page rule
      </button>
      <RoutingTest rules={rules} defaultGroup={(chaport.defaultGroup as string | undefined) ?? groups[0]?.id ?? 'general'} groups={groups} />
    </fieldset>
  );
}

const CONDITION_FIELDS = [
  ['channel', 'Channel is', 'equals'],
  ['group', 'Group is', 'equals'],
  ['startPage', 'Start page matches', 'matches'],
  ['messageText', 'Message contains', 'contains'],
] as const;
const ACTIONS = [
  ['setGroup', 'Move to group'],
  ['assign', 'Assign to (agent e-mail)'],
  ['completeChat', 'Complete the chat, status'],
] as const;

type GroupOptions = readonly (readonly [string, string])[];

/** Which condition, which action: changing it starts the item afresh with that kind's fields. */
function KindSelect({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: readonly (readonly [string, string, ...unknown[]])[]; onChange: (kind: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function ConditionRow({ base, at, count, condition, groupOptions }: { base: string; at: number; count: number; condition: { field: string }; groupOptions: GroupOptions }) {
  const path = `${base}.conditions[${at}]`;
  return (
    <div class="row">
      <KindSelect
        id={`${base}-condition-${at}`}
        label={`Condition ${at + 1}`}
        value={condition.field}
        options={CONDITION_FIELDS}
        onChange={(field) => update(path, { field, op: CONDITION_FIELDS.find((item) => item[0] === field)![2], value: field === 'channel' ? 'online_chat' : '' })}
      />
      {condition.field === 'channel' ? (
        <SelectField
          path={`${path}.value`}
          label="Channel"
          options={[
            ['online_chat', 'Online chat'],
            ['email', 'E-mail'],
          ]}
        />
      ) : condition.field === 'group' ? (
        <SelectField path={`${path}.value`} label="Group" options={groupOptions} empty="Choose a group" />
      ) : (
        <TextField path={`${path}.value`} label="Value" required />
      )}
      <RowActions path={`${base}.conditions`} index={at} count={count} name={`condition ${at + 1}`} />
    </div>
  );
}

function ActionRow({ base, at, count, action, groupOptions }: { base: string; at: number; count: number; action: { type: string }; groupOptions: GroupOptions }) {
  const path = `${base}.actions[${at}]`;
  return (
    <div class="row">
      <KindSelect
        id={`${base}-action-${at}`}
        label={`Action ${at + 1}`}
        value={action.type}
        options={ACTIONS}
        onChange={(type) => update(path, type === 'setGroup' ? { type, group: groupOptions[0]?.[0] ?? '' } : type === 'assign' ? { type, agent: '' } : { type, status: 'resolved' })}
      />
      {action.type === 'setGroup' ? (
        <SelectField path={`${path}.group`} label="Group" options={groupOptions} />
      ) : action.type === 'assign' ? (
        <TextField path={`${path}.agent`} label="Agent's e-mail" type="email" required />
      ) : (
        <SelectField
          path={`${path}.status`}
          label="Status"
          options={[
            ['open', 'Open'],
            ['pending', 'Pending'],
            ['resolved', 'Resolved'],
            ['snoozed', 'Snoozed'],
          ]}
        />
      )}
      <RowActions path={`${base}.actions`} index={at} count={count} name={`action ${at + 1}`} />
    </div>
  );
}

function Automation() {
  useStore($draft);
  const rules = (valueAt('helpdesk.automation') as { id: string; name: string; conditions: { field: string }[]; actions: { type: string }[] }[] | undefined) ?? [];
  const groupOptions = useGroups().map((group) => [group.id, group.name || group.id] as const);
  return (
    <fieldset>
      <legend>Automation rules</legend>
      <p class="muted small">When all conditions hold, the actions run: on a new conversation, or on each visitor message.</p>
      <ol class="rows">
        {rules.map((rule, index) => {
          const base = `helpdesk.automation[${index}]`;
          return (
            <li key={index} class="rule-card">
              <div class="channel-head">
                <h3 class="rule-title">{rule.name || `Rule ${index + 1}`}</h3>
                <RowActions path="helpdesk.automation" index={index} count={rules.length} name={`rule ${rule.name || index + 1}`} />
              </div>
              <TextField path={`${base}.name`} label="Name" required />
              <SelectField
                path={`${base}.on`}
                label="When"
                options={[
                  ['conversation.created', 'A conversation starts'],
                  ['message.created', 'A visitor writes'],
                ]}
              />
              <h4>Conditions</h4>
              <PartError path={`${base}.conditions`} />
              {rule.conditions.map((condition, at) => (
                <ConditionRow key={at} base={base} at={at} count={rule.conditions.length} condition={condition} groupOptions={groupOptions} />
              ))}
              <button type="button" class="secondary small-button" onClick={() => update(`${base}.conditions`, [...rule.conditions, { field: 'messageText', op: 'contains', value: '' }])}>
                Add a condition
              </button>
              <h4>Actions</h4>
              <PartError path={`${base}.actions`} />
              {rule.actions.map((action, at) => (
                <ActionRow key={at} base={base} at={at} count={rule.actions.length} action={action} groupOptions={groupOptions} />
              ))}
              <button type="button" class="secondary small-button" onClick={() => update(`${base}.actions`, [...rule.actions, { type: 'completeChat', status: 'resolved' }])}>
                Add an action
              </button>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          let id = 'rule';
          for (let n = 2; rules.some((rule) => rule.id === id); n++) id = `rule-${n}`;
          update('helpdesk.automation', [...rules, { id, name: '', on: 'message.created', conditions: [{ field: 'messageText', op: 'contains', value: '' }], actions: [{ type: 'setGroup', group: groupOptions[0]?.[0] ?? 'general' }] }]);
        }}
      >
        Add an automation rule
      </button>
    </fieldset>
  );
}

export function HelpdeskSettings() {
  return (
    <section aria-labelledby="helpdesk-title" class="narrow">
      <h2 id="helpdesk-title">Helpdesk and Chaport</h2>
      <TextField path="helpdesk.publicUrl" label="This helpdesk's public address" type="url" placeholder="https://help.acme.com" hint="Where Chaport sends its webhooks, and the address in the embed code." />
      <Groups />
      <Chaport />
      <Automation />
      <p class="muted small">Outbound webhooks (to a CRM or another helpdesk) are set in the configuration file: export it under History, edit, and import it back. Their signing secrets live in the server's environment.</p>
    </section>
  );
}
