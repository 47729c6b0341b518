import { useStore } from '@nanostores/preact';
import { useEffect, useState } from 'preact/hooks';
import { DeskApiError } from '../api.ts';
import { HelpdeskSettings } from './helpdesk.tsx';
import { History } from './history.tsx';
import { StaffSettings } from './staff.tsx';
import { $dirty, $draft, $status, discard, loadSettings, save } from './store.ts';
import { WidgetEditor, WidgetList } from './widgets.tsx';

/**
 * The settings (#10), for admins: widgets, the helpdesk and its Chaport integration, staff, and the history. One
 * draft across the pages, saved as one new version; leaving with unsaved changes asks first.
 */

type Page = { kind: 'widgets' } | { kind: 'widget'; index: number } | { kind: 'helpdesk' } | { kind: 'staff' } | { kind: 'history' };

export function pageOf(hash: string): Page {
  const [, section, index] = /^#\/settings(?:\/([a-z]+)(?:\/(\d+))?)?/.exec(hash) ?? [];
  if (section === 'widget' && index !== undefined) return { kind: 'widget', index: Number(index) };
  if (section === 'helpdesk' || section === 'staff' || section === 'history') return { kind: section };
  return { kind: 'widgets' };
}

const SECTIONS = [
  ['widgets', '#/settings', 'Widgets'],
  ['helpdesk', '#/settings/helpdesk', 'Helpdesk and Chaport'],
  ['staff', '#/settings/staff', 'Staff'],
  ['history', '#/settings/history', 'History'],
] as const;

function SaveBar({ page }: { page: Page }) {
  const dirty = useStore($dirty);
  const status = useStore($status);
  // Staff are saved one by one and the history acts at once: the bar shows there only with something to save.
  if (!dirty && (page.kind === 'staff' || page.kind === 'history') && status.kind !== 'saved') return null;
  return (
    <div class={`save-bar ${status.kind}`}>
      <p role={status.kind === 'error' || status.kind === 'conflict' ? 'alert' : 'status'}>
        {status.kind === 'saving' ? 'Saving…' : status.text ?? (dirty ? 'Unsaved changes.' : 'Everything is saved.')}
      </p>
      {status.kind === 'conflict' && (
        <button type="button" class="secondary" onClick={() => void loadSettings()}>
          Load the newest (drops my changes)
        </button>
      )}
      <button type="button" class="secondary" disabled={!dirty} onClick={discard}>
        Discard
      </button>
      <button type="button" class="primary" disabled={!dirty || status.kind === 'saving'} onClick={() => void save()} aria-keyshortcuts="Control+S">
        Save
      </button>
    </div>
  );
}

export function Settings({ hash }: { hash: string }) {
  const draft = useStore($draft);
  const [problem, setProblem] = useState<string | null>(null);
  const page = pageOf(hash);
  useEffect(() => {
    loadSettings().catch((error) => setProblem(error instanceof DeskApiError ? error.message : 'The settings could not be loaded.'));
    // Closing the tab or reloading with unsaved changes: the browser asks first.
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if ($dirty.get()) event.preventDefault();
    };
    // Ctrl+S / ⌘S saves, as in every editor; the browser's "save page" is never what is meant here.
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        if ($dirty.get()) void save();
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    document.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('keydown', onKey);
    };
  }, []);
  useEffect(() => {
    document.title = `Settings: ${SECTIONS.find(([kind]) => kind === (page.kind === 'widget' ? 'widgets' : page.kind))![2]} · Helpdesk`;
    return () => {
      document.title = 'Helpdesk';
    };
  }, [page.kind]);
  const current = page.kind === 'widget' ? 'widgets' : page.kind;
  return (
    <div class="settings">
      <nav aria-label="Settings" class="settings-nav">
        {SECTIONS.map(([kind, href, title]) => (
          <a key={kind} href={href} aria-current={current === kind ? 'page' : undefined}>
            {title}
          </a>
        ))}
      </nav>
      <main class="settings-main" id="settings-main">
        {problem ? (
          <p class="field-error" role="alert">
            {problem}
          </p>
        ) : !draft ? (
          <p class="muted">Loading the settings…</p>
        ) : page.kind === 'widget' ? (
          <>
            <a href="#/settings" class="back-link">
              ← All widgets
            </a>
            <WidgetEditor index={page.index} />
          </>
        ) : page.kind === 'helpdesk' ? (
          <HelpdeskSettings />
        ) : page.kind === 'staff' ? (
          <StaffSettings />
        ) : page.kind === 'history' ? (
          <History />
        ) : (
          <WidgetList />
        )}
      </main>
      {draft && <SaveBar page={page} />}
    </div>
  );
}
