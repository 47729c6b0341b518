import { useStore } from '@nanostores/preact';
import { useState } from 'preact/hooks';
import { WIDGET_VISITOR_FIELD } from '../contract/api.ts';
import type { ConversationDetail, VisitorSnapshot } from '../contract/helpdesk.ts';
import { ago, channelName } from './format.ts';
import { $config, $detail, $recent, open } from './state.ts';

const unknown = <i class="unknown">unknown</i>;
const value = (text: string | null) => (text === null ? unknown : text);

/** Everything the helpdesk took from Chaport about the visitor: what Chaport does not give is shown as unknown. */
function ChaportData({ visitor, startPage }: { visitor: VisitorSnapshot; startPage: string | null }) {
  const rows: [string, string | null][] = [
    ['Name', visitor.name],
    ['E-mail', visitor.email],
    ['Phone', visitor.phone],
    ['Last visit', visitor.lastVisitAt && new Date(visitor.lastVisitAt).toLocaleString()],
    ['Current page', visitor.currentPage],
    ['Start page', startPage ?? visitor.startPage],
    ['Browser', visitor.browser],
    ['IP address', visitor.ip],
    ['Chat language', visitor.language],
    ['OS', visitor.os],
    ['Location', visitor.location],
  ];
  const custom = Object.entries(visitor.custom).filter(([key]) => key !== WIDGET_VISITOR_FIELD);
  return (
    <dl class="facts">
      {rows.map(([label, text]) => [<dt key={label}>{label}</dt>, <dd key={`${label}-value`}>{value(text)}</dd>])}
      {custom.map(([key, text]) => [<dt key={key}>{key}</dt>, <dd key={`${key}-value`}>{String(text)}</dd>])}
    </dl>
  );
}

function RecentCases() {
  const recent = useStore($recent);
  if (!recent.length) return <p class="muted small">No other conversations with this visitor.</p>;
  return (
    <ul class="recent">
      {recent.map((item) => (
        <li key={item.id}>
          <button type="button" class="link" onClick={() => void open(item.id)}>
            #{item.number} {item.subject}
          </button>{' '}
          <span class="muted small">
            {channelName(item.channel)}, {item.phase === 'live' ? 'live' : item.status}, {ago(item.lastActivityAt)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The visitor's side of the conversation, in either of the two places the integration settings choose (the
 * source document's two options): a separate integrations panel, opened from its own button, or the information
 * panel, under the visitor's recent cases.
 */
export function VisitorPanel() {
  const conversation = useStore($detail) as ConversationDetail;
  const config = useStore($config);
  const [integrationsOpen, setIntegrationsOpen] = useState(false);
  const fromChaport = conversation.channel === 'online_chat';
  const separate = config?.panel === 'integrations';
  return (
    <aside class="info-pane" aria-label="Visitor">
      <section aria-labelledby="visitor-title">
        <h2 id="visitor-title">{conversation.visitor.name ?? conversation.visitor.email ?? 'Visitor'}</h2>
        <p class="small">{conversation.visitor.email ?? unknown}</p>
        <h3>Recent cases</h3>
        <RecentCases />
      </section>
      {fromChaport && !separate && (
        <section aria-labelledby="chaport-title">
          <h3 id="chaport-title">From Chaport</h3>
          <ChaportData visitor={conversation.visitor} startPage={conversation.startPage} />
        </section>
      )}
      {fromChaport && separate && (
        <section>
          <button type="button" class="secondary integrations-toggle" aria-expanded={integrationsOpen} aria-controls="integrations-panel" onClick={() => setIntegrationsOpen(!integrationsOpen)}>
            Integrations: Chaport
          </button>
          {integrationsOpen && (
            <div id="integrations-panel" class="integrations" role="region" aria-label="Chaport data">
              <ChaportData visitor={conversation.visitor} startPage={conversation.startPage} />
            </div>
          )}
        </section>
      )}
    </aside>
  );
}
