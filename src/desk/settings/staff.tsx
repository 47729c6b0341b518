import { useStore } from '@nanostores/preact';
import { useEffect, useState } from 'preact/hooks';
import { CHANNELS } from '../../contract/helpdesk.ts';
import { DeskApiError } from '../api.ts';
import { settingsApi, type StaffMember } from './api.ts';
import { $saved } from './store.ts';

/**
 * The people of the helpdesk (#7): who they are, what they see, and as which Chaport operator their replies go out.
 * Staff are records, not settings: each change is saved at once and is not part of the settings' versions.
 */

type Operator = { id: string; name: string; email?: string | null };
type Mapping = StaffMember['chaport'];

const CHANNEL_LABELS: Record<string, string> = { online_chat: 'Online chat', email: 'E-mail' };

function useGroups(): { id: string; name: string }[] {
  const saved = useStore($saved);
  return (saved?.document.helpdesk as { groups?: { id: string; name: string }[] } | undefined)?.groups ?? [{ id: 'general', name: 'General' }];
}

const describeMapping = (mapping: Mapping, operators: Operator[]) =>
  mapping.mapping === 'none'
    ? 'Not in Chaport: answers e-mail only'
    : mapping.mapping === 'create'
      ? mapping.operatorId
        ? `Operator ${operators.find((operator) => operator.id === mapping.operatorId)?.name ?? mapping.operatorId} (created for them)`
        : 'An operator is created for them at their first chat reply'
      : `Operator ${operators.find((operator) => operator.id === mapping.operatorId)?.name ?? mapping.operatorId ?? '?'}`;

/** The fields a person is edited with, shared by "add" and "edit". */
function PersonFields({ prefix, value, onChange, operators, errors }: { prefix: string; value: Draft; onChange: (next: Draft) => void; operators: Operator[] | null; errors: Record<string, string> }) {
  const groups = useGroups();
  const id = (name: string) => `${prefix}-${name}`;
  const error = (field: string) =>
    errors[field] ? (
      <span id={id(`${field}-error`)} class="field-error">
        {errors[field]}
      </span>
    ) : null;
  const toggle = (list: string[], item: string, on: boolean) => (on ? [...new Set([...list, item])] : list.filter((x) => x !== item));
  return (
    <>
      <div class={`field${errors.role ? ' invalid' : ''}`}>
        <label for={id('role')}>Role</label>
        <select id={id('role')} value={value.role} onChange={(event) => onChange({ ...value, role: event.currentTarget.value as Draft['role'] })}>
          <option value="agent">Agent: answers conversations</option>
          <option value="admin">Admin: also settings and staff</option>
        </select>
        {error('role')}
      </div>
      <fieldset class="choices">
        <legend>Groups</legend>
        <span class="hint">None ticked: every group.</span>
        {groups.map((group) => (
          <label key={group.id} class="check-inline">
            <input type="checkbox" checked={value.groups.includes(group.id)} onChange={(event) => onChange({ ...value, groups: toggle(value.groups, group.id, event.currentTarget.checked) })} /> {group.name || group.id}
          </label>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend>Channels</legend>
        {CHANNELS.map((channel) => (
          <label key={channel} class="check-inline">
            <input type="checkbox" checked={value.channels.includes(channel)} onChange={(event) => onChange({ ...value, channels: toggle(value.channels, channel, event.currentTarget.checked) as Draft['channels'] })} />{' '}
            {CHANNEL_LABELS[channel] ?? channel}
          </label>
        ))}
        {error('channels')}
      </fieldset>
      <div class={`field${errors.chaport ? ' invalid' : ''}`}>
        <label for={id('mapping')}>Replies in Chaport go out as</label>
        <select
          id={id('mapping')}
          value={value.chaport.mapping === 'operator' ? `operator:${value.chaport.operatorId ?? ''}` : value.chaport.mapping}
          aria-invalid={errors.chaport ? 'true' : undefined}
          aria-describedby={errors.chaport ? id('chaport-error') : undefined}
          onChange={(event) => {
            const choice = event.currentTarget.value;
            onChange({ ...value, chaport: choice.startsWith('operator:') ? { mapping: 'operator', operatorId: choice.slice('operator:'.length) } : { mapping: choice as 'create' | 'none', operatorId: null } });
          }}
        >
          <option value="create">A new operator, created at their first reply</option>
          <option value="none">Nobody: this person answers e-mail only</option>
          {(operators ?? []).map((operator) => (
            <option key={operator.id} value={`operator:${operator.id}`}>
              Operator {operator.name}
              {operator.email ? ` (${operator.email})` : ''}
            </option>
          ))}
          {value.chaport.mapping === 'operator' && !(operators ?? []).some((operator) => operator.id === value.chaport.operatorId) && (
            <option value={`operator:${value.chaport.operatorId ?? ''}`}>Operator {value.chaport.operatorId}</option>
          )}
        </select>
        {operators === null && <span class="hint">Chaport's operators are listed once the integration is connected.</span>}
        {error('chaport')}
      </div>
    </>
  );
}

interface Draft {
  role: 'admin' | 'agent';
  groups: string[];
  channels: StaffMember['channels'];
  chaport: Mapping;
}

const errorsOf = (error: unknown): Record<string, string> => {
  if (!(error instanceof DeskApiError)) return { '': 'The helpdesk did not answer as expected.' };
  const field = (error.field ?? '').split(/[.[]/)[0] ?? '';
  return { [field]: error.message };
};

function AddPerson({ operators, onAdded }: { operators: Operator[] | null; onAdded: (person: StaffMember, password?: string) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const saved = useStore($saved);
  // A new person starts with the integration's policy for new staff (#7); the admin can choose otherwise.
  const policy = (saved?.document.helpdesk as { chaport?: { newStaff?: { mapping?: Mapping['mapping']; operatorId?: string } } } | undefined)?.chaport?.newStaff;
  const [draft, setDraft] = useState<Draft>({
    role: 'agent',
    groups: [],
    channels: [...CHANNELS],
    chaport: policy?.mapping === 'operator' && policy.operatorId ? { mapping: 'operator', operatorId: policy.operatorId } : { mapping: policy?.mapping === 'none' ? 'none' : 'create', operatorId: null },
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card add-person"
      aria-labelledby="add-person-title"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setErrors({});
        try {
          const { staff, password } = await settingsApi.addStaff({ email, name, ...draft });
          onAdded(staff, password);
          setEmail('');
          setName('');
        } catch (error) {
          setErrors(errorsOf(error));
          requestAnimationFrame(() => document.querySelector<HTMLElement>('.add-person [aria-invalid="true"]')?.focus());
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3 id="add-person-title">Add a person</h3>
      <div class={`field${errors.email ? ' invalid' : ''}`}>
        <label for="new-email">E-mail</label>
        <input id="new-email" type="email" required autocomplete="off" value={email} aria-invalid={errors.email ? 'true' : undefined} aria-describedby={errors.email ? 'new-email-error' : undefined} onInput={(event) => setEmail(event.currentTarget.value)} />
        {errors.email && (
          <span id="new-email-error" class="field-error">
            {errors.email}
          </span>
        )}
      </div>
      <div class={`field${errors.name ? ' invalid' : ''}`}>
        <label for="new-name">Name</label>
        <input id="new-name" required autocomplete="off" value={name} aria-invalid={errors.name ? 'true' : undefined} aria-describedby={errors.name ? 'new-name-error' : undefined} onInput={(event) => setName(event.currentTarget.value)} />
        {errors.name && (
          <span id="new-name-error" class="field-error">
            {errors.name}
          </span>
        )}
      </div>
      <PersonFields prefix="new" value={draft} onChange={setDraft} operators={operators} errors={errors} />
      {errors[''] && (
        <p class="field-error" role="alert">
          {errors['']}
        </p>
      )}
      <p class="muted small">A password is generated and shown once, for you to pass on.</p>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add'}
      </button>
    </form>
  );
}

function EditPerson({ person, operators, onSaved, onCancel }: { person: StaffMember; operators: Operator[] | null; onSaved: (person: StaffMember) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>({ role: person.role, groups: person.groups, channels: person.channels, chaport: person.chaport });
  const [disabled, setDisabled] = useState(person.disabled);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const prefix = `edit-${person.id}`;
  return (
    <form
      class="person-editor"
      aria-label={`Edit ${person.name}`}
      onSubmit={async (event) => {
        event.preventDefault();
        setErrors({});
        try {
          onSaved(await settingsApi.updateStaff(person.id, { ...draft, disabled }));
        } catch (error) {
          setErrors(errorsOf(error));
        }
      }}
    >
      <PersonFields prefix={prefix} value={draft} onChange={setDraft} operators={operators} errors={errors} />
      <label class="check-inline">
        <input type="checkbox" checked={disabled} onChange={(event) => setDisabled(event.currentTarget.checked)} /> Disabled: cannot sign in
      </label>
      {errors[''] && (
        <p class="field-error" role="alert">
          {errors['']}
        </p>
      )}
      <div class="row-actions">
        <button type="submit" class="primary">
          Save {person.name}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function StaffSettings() {
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [operators, setOperators] = useState<Operator[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [added, setAdded] = useState<{ person: StaffMember; password?: string | undefined } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    settingsApi.staff().then(
      (found) => setStaff(found.staff),
      (error) => setProblem(error instanceof DeskApiError ? error.message : 'The staff could not be loaded.'),
    );
    // Without a connected integration there are no operators to choose from: "create" and "none" remain.
    settingsApi.operators().then(
      (found) => setOperators(found.operators),
      () => setOperators(null),
    );
  }, []);
  const sharing = (person: StaffMember) =>
    person.chaport.operatorId ? (staff ?? []).filter((other) => other.id !== person.id && other.chaport.operatorId === person.chaport.operatorId).map((other) => other.name) : [];
  return (
    <section aria-labelledby="staff-title" class="staff">
      <div class="section-head">
        <h2 id="staff-title">Staff</h2>
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {added && (
        <div class="note" role="status">
          {added.person.name} was added.{' '}
          {added.password && (
            <>
              Their password, shown only now: <code class="secret">{added.password}</code>
            </>
          )}
        </div>
      )}
      {staff === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul class="people">
          {staff.map((person) => {
            const shared = sharing(person);
            return (
              <li key={person.id} class={`person${person.disabled ? ' disabled' : ''}`}>
                <div class="person-head">
                  <div>
                    <b>{person.name}</b> <span class="muted small">{person.email}</span>
                    <div class="tags">
                      <span class="tag">{person.role === 'admin' ? 'Admin' : 'Agent'}</span>
                      {person.disabled && <span class="tag">Disabled</span>}
                      <span class="tag">{person.groups.length ? person.groups.join(', ') : 'Every group'}</span>
                      <span class="tag">{person.channels.map((channel) => CHANNEL_LABELS[channel] ?? channel).join(', ') || 'No channels'}</span>
                    </div>
                    <p class="small">{describeMapping(person.chaport, operators ?? [])}</p>
                    {shared.length > 0 && <p class="note warn small">Shares this Chaport operator with {shared.join(', ')}: visitors see one name for all of them.</p>}
                    {person.chaport.mapping === 'create' && <p class="muted small">An operator created by the helpdesk has no photo in Chaport until someone adds one there.</p>}
                  </div>
                  {editing !== person.id && (
                    <button type="button" class="secondary small-button" aria-label={`Edit ${person.name}`} onClick={() => setEditing(person.id)}>
                      Edit
                    </button>
                  )}
                </div>
                {editing === person.id && (
                  <EditPerson
                    person={person}
                    operators={operators}
                    onCancel={() => setEditing(null)}
                    onSaved={(saved) => {
                      setStaff((list) => (list ?? []).map((item) => (item.id === saved.id ? saved : item)));
                      setEditing(null);
                    }}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
      <AddPerson
        operators={operators}
        onAdded={(person, password) => {
          setStaff((list) => [...(list ?? []), person]);
          setAdded({ person, password });
        }}
      />
    </section>
  );
}
