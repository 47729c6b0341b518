import { useStore } from '@nanostores/preact';
import { useEffect, useState } from 'preact/hooks';
import { DeskApiError } from '../api.ts';
import { settingsApi, type VersionInfo } from './api.ts';
import { $dirty, $saved, loadSettings } from './store.ts';

/**
 * Every saved version of the settings — who, when, from where, what changed — with a way back to any of them, and
 * the file format both ways (export, import). A rollback is itself a new version: nothing in the history is lost.
 */

const SOURCES: Record<VersionInfo['source'], string> = { browser: 'in the settings', file: 'from the configuration file', import: 'imported from a file', rollback: 'a rollback' };
const SHOWN_CHANGES = 8;

function Changes({ changes, first }: { changes: string[]; first: boolean }) {
  const [all, setAll] = useState(false);
  if (!changes.length) return <p class="muted small">{first ? 'The first version.' : 'Nothing changed.'}</p>;
  const shown = all ? changes : changes.slice(0, SHOWN_CHANGES);
  return (
    <>
      <ul class="changes">
        {shown.map((change) => (
          <li key={change}>
            <code>{change}</code>
          </li>
        ))}
      </ul>
      {changes.length > SHOWN_CHANGES && (
        <button type="button" class="link small" onClick={() => setAll(!all)}>
          {all ? 'Fewer' : `All ${changes.length} changes`}
        </button>
      )}
    </>
  );
}

function ImportFile({ onDone }: { onDone: (text: string) => void }) {
  const saved = useStore($saved);
  const [problems, setProblems] = useState<string[]>([]);
  return (
    <div class="field">
      <label for="import-file">Import a configuration file</label>
      <input
        id="import-file"
        type="file"
        accept="application/json,.json"
        aria-describedby="import-hint"
        onChange={async (event) => {
          const input = event.currentTarget;
          const file = input.files?.[0];
          if (!file) return;
          setProblems([]);
          let document: unknown;
          try {
            document = JSON.parse(await file.text());
          } catch (error) {
            setProblems([`${file.name} is not JSON: ${(error as Error).message}`]);
            return;
          }
          try {
            const { version } = await settingsApi.import(document, saved?.version ?? null);
            input.value = '';
            await loadSettings();
            onDone(`${file.name} imported as version ${version}.`);
          } catch (error) {
            if (!(error instanceof DeskApiError)) throw error;
            setProblems(error.issues.length ? error.issues.map((issue) => `${issue.field || '(the file)'}: ${issue.message}`) : [error.message]);
          }
        }}
      />
      <span id="import-hint" class="hint">
        The same format as the export and the server's --config file. It replaces the settings as one new version.
      </span>
      {problems.length > 0 && (
        <div class="field-error" role="alert">
          Nothing was imported:
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

export function History() {
  const saved = useStore($saved);
  const dirty = useStore($dirty);
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = () => settingsApi.versions().then((found) => setVersions(found.versions));
  useEffect(() => {
    void load();
  }, [saved?.version]);
  const rollBack = async (version: number) => {
    const lost = dirty ? ' Your unsaved changes will be discarded.' : '';
    if (!confirm(`Roll back to version ${version}? It becomes a new version; later ones stay in the history.${lost}`)) return;
    try {
      const { version: created } = await settingsApi.restore(version, saved?.version ?? null);
      await loadSettings();
      setMessage({ kind: 'ok', text: `Rolled back: version ${version} is in force again, as version ${created}.` });
    } catch (error) {
      if (!(error instanceof DeskApiError)) throw error;
      setMessage({ kind: 'error', text: error.message });
    }
  };
  return (
    <section aria-labelledby="history-title" class="history">
      <div class="section-head">
        <h2 id="history-title">History</h2>
        <a class="secondary button-link" href="/v1/settings/export" download>
          Export the settings (JSON)
        </a>
      </div>
      {saved?.file && (
        <p class="note">
          This server also reads <code>{saved.file}</code>. When that file's content changes (at start, or on SIGHUP), it is imported as a new version: the newest change wins, from either side.
        </p>
      )}
      <ImportFile onDone={(text) => setMessage({ kind: 'ok', text })} />
      <p role={message?.kind === 'error' ? 'alert' : 'status'} class={message?.kind === 'error' ? 'field-error' : 'muted'}>
        {message?.text ?? ''}
      </p>
      {versions === null ? (
        <p class="muted">Loading…</p>
      ) : versions.length === 0 ? (
        <p class="empty">No versions yet: the first save starts the history.</p>
      ) : (
        <ol class="versions" reversed>
          {versions.map((item, index) => (
            <li key={item.version} class="card">
              <div class="version-head">
                <h3>
                  Version {item.version}
                  {item.version === saved?.version && <span class="tag current">In force</span>}
                </h3>
                {item.version !== saved?.version && (
                  <button type="button" class="secondary small-button" onClick={() => void rollBack(item.version)}>
                    Roll back to version {item.version}
                  </button>
                )}
              </div>
              <p class="small">
                <time dateTime={item.createdAt}>{new Date(item.createdAt).toLocaleString()}</time> · {item.author} · {SOURCES[item.source]}
                {item.note ? ` · ${item.note}` : ''}
              </p>
              <Changes changes={item.changes} first={index === versions.length - 1 && item.version === 1} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
