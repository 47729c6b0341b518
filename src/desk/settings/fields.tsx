import { useStore } from '@nanostores/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { $draft, $issues, update } from './store.ts';
import { getIn, type Path } from './path.ts';

/**
 * Form fields bound to a path of the draft. Each shows its label, an optional hint and the server's error for the
 * same path (`aria-invalid`, `aria-describedby`), so a refused save points at the field to fix.
 */

const idOf = (path: Path) => `f-${path.replace(/[^\w]+/g, '-')}`;

interface Common {
  path: Path;
  label: string;
  hint?: ComponentChildren;
}

function useField(path: Path, hint: unknown) {
  const draft = useStore($draft);
  const issue = useStore($issues)[path];
  const id = idOf(path);
  const described = [issue ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return { value: getIn(draft, path), issue, id, described };
}

/** A field's frame: its label (after the box for a check box), the control, the hint and the error. */
function Frame({ id, label, hint, issue, check = false, children }: { id: string; label: string; hint?: ComponentChildren; issue?: string | undefined; check?: boolean; children: ComponentChildren }) {
  return (
    <div class={`field${check ? ' check' : ''}${issue ? ' invalid' : ''}`}>
      {!check && <label for={id}>{label}</label>}
      {children}
      {check && <label for={id}>{label}</label>}
      {hint && (
        <span id={`${id}-hint`} class="hint">
          {hint}
        </span>
      )}
      <FieldError id={id} issue={issue} />
    </div>
  );
}

function FieldError({ id, issue }: { id: string; issue?: string | undefined }) {
  return issue ? (
    <span id={`${id}-error`} class="field-error">
      {issue}
    </span>
  ) : null;
}

/** An error about a whole part (a list, a section) rather than one input. */
export function PartError({ path }: { path: Path }) {
  const issue = useStore($issues)[path];
  return issue ? (
    <p class="field-error" role="alert">
      {issue}
    </p>
  ) : null;
}

export function TextField({ path, label, hint, placeholder, type = 'text', required = false }: Common & { placeholder?: string; type?: 'text' | 'url' | 'email' | 'tel'; required?: boolean }) {
  const { value, issue, id, described } = useField(path, hint);
  return (
    <Frame id={id} label={label} hint={hint} issue={issue}>
      <input
        id={id}
        type={type as 'text'}
        value={typeof value === 'string' ? value : ''}
        placeholder={placeholder}
        required={required}
        aria-invalid={issue ? 'true' : undefined}
        aria-describedby={described}
        onInput={(event) => update(path, event.currentTarget.value === '' && !required ? undefined : event.currentTarget.value)}
      />
    </Frame>
  );
}

export function NumberField({ path, label, hint, min, max, placeholder }: Common & { min?: number; max?: number; placeholder?: string }) {
  const { value, issue, id, described } = useField(path, hint);
  return (
    <Frame id={id} label={label} hint={hint} issue={issue}>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={typeof value === 'number' ? String(value) : ''}
        placeholder={placeholder}
        aria-invalid={issue ? 'true' : undefined}
        aria-describedby={described}
        onInput={(event) => update(path, event.currentTarget.value === '' ? undefined : Number(event.currentTarget.value))}
      />
    </Frame>
  );
}

export function SelectField({ path, label, hint, options, empty }: Common & { options: readonly (readonly [string, string])[]; empty?: string }) {
  const { value, issue, id, described } = useField(path, hint);
  return (
    <Frame id={id} label={label} hint={hint} issue={issue}>
      {/* Absent means the server's default, which is the first option wherever there is no "empty" one. */}
      <select id={id} value={typeof value === 'string' ? value : empty !== undefined ? '' : (options[0]?.[0] ?? '')} aria-invalid={issue ? 'true' : undefined} aria-describedby={described} onChange={(event) => update(path, event.currentTarget.value || undefined)}>
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </Frame>
  );
}

/** A yes/no setting. `defaultValue` is what the server takes when the key is absent: the box shows that. */
export function CheckField({ path, label, hint, defaultValue }: Common & { defaultValue: boolean }) {
  const { value, issue, id, described } = useField(path, hint);
  return (
    <Frame id={id} label={label} hint={hint} issue={issue} check>
      <input
        id={id}
        type="checkbox"
        checked={typeof value === 'boolean' ? value : defaultValue}
        aria-invalid={issue ? 'true' : undefined}
        aria-describedby={described}
        onChange={(event) => update(path, event.currentTarget.checked)}
      />
    </Frame>
  );
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** A list of short texts, one per line (origins, for example). The text is kept as typed; the list, cleaned. */
export function LinesField({ path, label, hint, placeholder }: Common & { placeholder?: string }) {
  const { value, issue, id, described } = useField(path, hint);
  const list = Array.isArray(value) ? (value as string[]) : [];
  const [text, setText] = useState(list.join('\n'));
  // Changed elsewhere (discarded, rolled back): show the new list.
  useEffect(() => {
    if (lines(text).join('\n') !== list.join('\n')) setText(list.join('\n'));
  }, [list.join('\n')]);
  const issues = useStore($issues);
  // Errors about one line (`allowedOrigins[1]`) are shown here, with the line they are about.
  const lineIssues = Object.entries(issues).filter(([field]) => field.startsWith(`${path}[`));
  const shown = issue ?? (lineIssues.length ? lineIssues.map(([field, message]) => `line ${Number(/\[(\d+)\]$/.exec(field)?.[1] ?? 0) + 1}: ${message}`).join('; ') : undefined);
  return (
    <Frame id={id} label={label} hint={hint} issue={shown}>
      <textarea
        id={id}
        rows={3}
        value={text}
        placeholder={placeholder}
        aria-invalid={shown ? 'true' : undefined}
        aria-describedby={described}
        onInput={(event) => {
          setText(event.currentTarget.value);
          update(path, lines(event.currentTarget.value));
        }}
      />
    </Frame>
  );
}
