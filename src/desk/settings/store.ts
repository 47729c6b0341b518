import { atom, computed } from 'nanostores';
import { DeskApiError } from '../api.ts';
import { settingsApi, type ConfigDocument, type Settings } from './api.ts';
import { getIn, setIn, type Path } from './path.ts';

/**
 * The settings being edited: what the server has (`$saved`), the draft (`$draft`, the whole configuration document)
 * and the problems the server found, by field path (`$issues`). Every page edits the one draft; saving sends the
 * whole document as a new version, based on the version it started from.
 */

export const $saved = atom<Settings | null>(null);
export const $draft = atom<ConfigDocument | null>(null);
export const $issues = atom<Record<Path, string>>({});
export const $status = atom<{ kind: 'idle' | 'saving' | 'saved' | 'error' | 'conflict'; text?: string }>({ kind: 'idle' });
export const $dirty = computed([$saved, $draft], (saved, draft) => !!saved && !!draft && JSON.stringify(saved.document) !== JSON.stringify(draft));

export async function loadSettings(): Promise<void> {
  const settings = await settingsApi.get();
  $saved.set(settings);
  $draft.set(structuredClone(settings.document));
  $issues.set({});
  $status.set({ kind: 'idle' });
}

export const valueAt = (path: Path): unknown => getIn($draft.get(), path);

/** Changes one field of the draft; its error (shown until the next check) goes with the old value. */
export function update(path: Path, value: unknown): void {
  $draft.set(setIn($draft.get()!, path, value));
  const issues = $issues.get();
  if (issues[path]) {
    const { [path]: _gone, ...rest } = issues;
    $issues.set(rest);
  }
}

export const issuesOf = (error: DeskApiError): Record<Path, string> =>
  Object.fromEntries((error.issues.length ? error.issues : [{ field: error.field ?? '', message: error.message }]).map((issue) => [issue.field, issue.message]));

/** Saves the draft as a new version. On refusal, every problem is shown at its field and the first one is focused. */
export async function save(note?: string): Promise<boolean> {
  const saved = $saved.get();
  const draft = $draft.get();
  if (!saved || !draft) return false;
  $status.set({ kind: 'saving' });
  try {
    // The server keeps the document as sent: the draft is now the version in force, no second request needed.
    const { version, secrets } = await settingsApi.save(draft, saved.version, note);
    $saved.set({ ...saved, version, document: structuredClone(draft), secrets });
    $issues.set({});
    $status.set({ kind: 'saved', text: `Saved as version ${version}. Open pages pick it up on their next load.` });
    return true;
  } catch (error) {
    if (!(error instanceof DeskApiError)) throw error;
    if (error.status === 409) {
      $status.set({ kind: 'conflict', text: error.message });
      return false;
    }
    $issues.set(issuesOf(error));
    $status.set({ kind: 'error', text: `Nothing was saved: ${error.issues.length || 1} problem${error.issues.length > 1 ? 's' : ''} to fix, shown at ${error.issues.length > 1 ? 'their fields' : 'its field'}.` });
    // After the page shows the errors: the first field in need gets the focus.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    return false;
  }
}

export function discard(): void {
  const saved = $saved.get();
  if (saved) $draft.set(structuredClone(saved.document));
  $issues.set({});
  $status.set({ kind: 'idle' });
}
