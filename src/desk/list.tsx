import { useStore } from '@nanostores/preact';
import type { Conversation } from '../contract/helpdesk.ts';
import { $cases, $filters, $live, $selected, $view, loadLists, open, waiting, type Filters, type View } from './state.ts';
import { ago, channelName, groupName, visitorName } from './format.ts';

function Item({ conversation }: { conversation: Conversation }) {
  const selected = useStore($selected) === conversation.id;
  const last = conversation.lastMessage;
  return (
    <li>
      <button type="button" data-id={conversation.id} class={`item${conversation.unanswered ? ' unanswered' : ''}`} aria-current={selected ? 'true' : undefined} onClick={() => void open(conversation.id)}>
        <span class="line">
          <span class="who">{visitorName(conversation)}</span>
          <time dateTime={conversation.lastActivityAt}>{ago(conversation.lastActivityAt)}</time>
        </span>
        <span class="subject">{conversation.subject}</span>
        {last && <span class="preview">{last.author === 'visitor' ? '' : 'Reply: '}{last.text}</span>}
        <span class="tags">
          <span class={`tag ${conversation.channel}`}>{channelName(conversation.channel)}</span>
          <span class="tag">{groupName(conversation.group)}</span>
          {conversation.phase === 'case' && <span class="tag">{conversation.status}</span>}
          {conversation.unanswered > 0 && <span class="count" aria-label={`${conversation.unanswered} waiting`}>{conversation.unanswered}</span>}
        </span>
      </button>
    </li>
  );
}

/** One filter of the case list: changing it reloads the list. */
function Filter<K extends keyof Filters>({ label, name, options }: { label: string; name: K; options: [Filters[K], string][] }) {
  const value = useStore($filters)[name];
  return (
    <label>
      {label}
      <select
        value={value}
        onChange={(event) => {
          $filters.set({ ...$filters.get(), [name]: event.currentTarget.value });
          void loadLists();
        }}
      >
        <option value="">All</option>
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ConversationList() {
  const view = useStore($view);
  const live = useStore($live);
  const cases = useStore($cases);
  const list = view === 'live' ? live : cases;
  const tab = (id: View, label: string, count: number) => (
    <button type="button" role="tab" id={`tab-${id}`} aria-selected={view === id} aria-controls="conversation-list" tabIndex={view === id ? 0 : -1} onClick={() => $view.set(id)}>
      {label} <span class="count-plain">{count}</span>
    </button>
  );
  return (
    <section class="list-pane" aria-label="Conversations">
      <div role="tablist" aria-label="Which conversations" class="tabs">
        {tab('live', 'Live chats', live.length)}
        {tab('cases', 'Cases', cases.length)}
      </div>
      {view === 'cases' && (
        <div class="filters">
          <Filter label="Channel" name="channel" options={[['online_chat', 'Online chat'], ['email', 'E-mail']]} />
          <Filter label="Status" name="status" options={[['open', 'Open'], ['pending', 'Pending'], ['resolved', 'Resolved'], ['snoozed', 'Snoozed']]} />
        </div>
      )}
      <div id="conversation-list" role="tabpanel" aria-labelledby={`tab-${view}`}>
        {view === 'live' && live.length > 0 && <p class="muted small">{waiting(live)} waiting for an answer. Keys: j / k to move, Enter to open.</p>}
        {list.length === 0 ? (
          <p class="empty">{view === 'live' ? 'No live chats right now. New ones appear here at once.' : 'No cases match.'}</p>
        ) : (
          <ul class="conversations">
            {list.map((conversation) => (
              <Item key={conversation.id} conversation={conversation} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
