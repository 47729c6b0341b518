import { useStore } from '@nanostores/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, DeskApiError } from './api.ts';
import { ConversationList } from './list.tsx';
import { $config, $connection, $detail, $hash, $live, $me, $notice, $selected, loadLists, open, waiting } from './state.ts';
import { connectStream } from './stream.ts';
import { Thread } from './thread.tsx';
import { VisitorPanel } from './visitor.tsx';

/** The desk, once someone is signed in: live chats and cases, a thread with its composer, the visitor's data. */
export async function startDesk(root: HTMLElement): Promise<void> {
  $config.set(await api.config());
  await loadLists();
  const fromHash = decodeURIComponent(location.hash.replace(/^#\/c\//, ''));
  if (location.hash.startsWith('#/c/') && fromHash) await open(fromHash).catch(() => open(null));
  connectStream();
  $hash.set(location.hash);
  root.replaceChildren();
  render(<Desk />, root);
}

const inSettings = (hash: string) => hash.startsWith('#/settings');

/** Where the agent is, in the address: a link to a conversation (or a settings page) can be shared and survives a reload. */
function useHashRouting() {
  const selected = useStore($selected);
  useEffect(() => {
    const onHashChange = () => {
      $hash.set(location.hash);
      const id = location.hash.startsWith('#/c/') ? decodeURIComponent(location.hash.slice(4)) : null;
      if (id && id !== $selected.get()) void open(id);
      else if (!id && !inSettings(location.hash) && $selected.get()) void open(null);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  useEffect(() => {
    if (inSettings(location.hash)) return;
    const target = selected ? `#/c/${encodeURIComponent(selected)}` : '#/';
    if (location.hash !== target) history.replaceState(null, '', target);
  }, [selected]);
}

type SettingsView = typeof import('./settings/settings.tsx').Settings;

/** The settings are their own chunk: agents never load them, admins only when they open them. */
function SettingsPages({ hash }: { hash: string }) {
  const me = useStore($me)!;
  const [View, setView] = useState<SettingsView | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (me.role === 'admin')
      import('./settings/settings.tsx').then(
        (loaded) => setView(() => loaded.Settings),
        () => setFailed(true),
      );
  }, [me.role]);
  if (me.role !== 'admin')
    return (
      <main class="settings-main" id="settings-main">
        <p>Only admins can change the settings. <a href="#/">Back to the conversations</a></p>
      </main>
    );
  if (failed)
    return (
      <main class="settings-main" id="settings-main">
        <p role="alert">The settings could not be loaded. Check the connection and reload the page.</p>
      </main>
    );
  return View ? <View hash={hash} /> : <p class="loading">Loading the settings…</p>;
}

/** A skip link that moves the focus without touching the address (the hash is the desk's route). */
function Skip({ to, children }: { to: string; children: string }) {
  return (
    <a
      class="skip"
      href={`#${to}`}
      onClick={(event) => {
        event.preventDefault();
        const target = document.getElementById(to);
        if (!target) return;
        if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus();
      }}
    >
      {children}
    </a>
  );
}

function Header() {
  const me = useStore($me)!;
  const live = useStore($live);
  const connection = useStore($connection);
  const hash = useStore($hash);
  const count = waiting(live);
  return (
    <header class="bar">
      <h1>Helpdesk</h1>
      <nav aria-label="Sections" class="sections">
        <a href="#/" aria-current={inSettings(hash) ? undefined : 'page'}>
          Conversations
        </a>
        {me.role === 'admin' && (
          <a href="#/settings" aria-current={inSettings(hash) ? 'page' : undefined}>
            Settings
          </a>
        )}
      </nav>
      <a class={`live-indicator${count ? ' waiting' : ''}`} href="#/" onClick={() => void open(null)} aria-label={`Live chats: ${live.length}, waiting for an answer: ${count}`}>
        <span class="dot" aria-hidden="true" />
        <span aria-hidden="true">{count || live.length}</span>
      </a>
      <span class={`connection ${connection}`} role="status">
        {connection === 'live' ? 'Live' : 'Reconnecting…'}
      </span>
      <label class="status">
        <span class="visually-hidden">My status</span>
        <select
          value={me.status}
          onChange={async (event) => {
            const status = event.currentTarget.value as 'online' | 'away';
            $me.set(await api.setStatus(status));
          }}
        >
          <option value="online">Online</option>
          <option value="away">Away</option>
        </select>
      </label>
      <span class="me">{me.name}</span>
      <button
        type="button"
        class="link"
        onClick={async () => {
          await api.signOut();
          location.reload();
        }}
      >
        Sign out
      </button>
    </header>
  );
}

function Notice() {
  const notice = useStore($notice);
  if (!notice) return null;
  return (
    <div class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      {notice.text}
      <button type="button" class="link" onClick={() => $notice.set(null)}>
        Dismiss
      </button>
    </div>
  );
}

function Desk() {
  useHashRouting();
  const detail = useStore($detail);
  const hash = useStore($hash);
  useEffect(() => {
    // Keyboard first: j/k (or arrows) move through the list, Enter opens, Escape goes back to the list.
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      const typing = target.closest('input, textarea, select');
      // Escape leaves the thread, also from an empty reply box (nothing typed is ever thrown away).
      const leaving = !typing || (target instanceof HTMLTextAreaElement && !target.value);
      if (event.key === 'Escape' && $selected.get() && leaving) {
        event.preventDefault();
        const left = $selected.get()!;
        // Back where the agent was: the conversation just left, once the list is shown again (one pane on a phone).
        void open(null).then(() =>
          setTimeout(() => (document.querySelector<HTMLElement>(`.conversations [data-id="${CSS.escape(left)}"]`) ?? document.querySelector<HTMLElement>('.conversations button'))?.focus()),
        );
        return;
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      const items = [...document.querySelectorAll<HTMLButtonElement>('.conversations button.item')];
      if (!items.length) return;
      const index = items.indexOf(document.activeElement as HTMLButtonElement);
      if (event.key === 'j' || (event.key === 'ArrowDown' && index >= 0)) {
        event.preventDefault();
        items[Math.min(items.length - 1, index + 1)]!.focus();
      } else if (event.key === 'k' || (event.key === 'ArrowUp' && index >= 0)) {
        event.preventDefault();
        items[Math.max(0, index <= 0 ? 0 : index - 1)]!.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const onError = (event: PromiseRejectionEvent) => {
      if (event.reason instanceof DeskApiError) {
        event.preventDefault();
        $notice.set({ kind: 'error', text: event.reason.message });
      }
    };
    window.addEventListener('unhandledrejection', onError);
    return () => window.removeEventListener('unhandledrejection', onError);
  }, []);
  if (inSettings(hash))
    return (
      <div class="desk" data-showing="settings">
        <Skip to="settings-main">Skip to the settings</Skip>
        <Header />
        <Notice />
        <SettingsPages hash={hash} />
      </div>
    );
  return (
    <div class="desk" data-showing={detail ? 'thread' : 'list'}>
      <Skip to="thread">Skip to the conversation</Skip>
      <Header />
      <Notice />
      <div class="panes">
        {/* One main landmark on every screen size: the list and the thread (a phone shows one of them at a time). */}
        <main class="work">
          <ConversationList />
          <Thread />
        </main>
        {detail && <VisitorPanel />}
      </div>
    </div>
  );
}
