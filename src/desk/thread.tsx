import { useStore } from '@nanostores/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationDetail, ConversationMessage } from '../contract/helpdesk.ts';
import { api, DeskApiError } from './api.ts';
import { channelName, groupName, time, visitorName } from './format.ts';
import { $config, $detail, $me, $notice, open, refresh } from './state.ts';

const AUTHORS: Record<ConversationMessage['author'], string> = { visitor: 'Visitor', agent: 'Agent', operator: 'Operator in Chaport', bot: 'Bot', system: 'System' };

function Delivery({ conversation, message }: { conversation: ConversationDetail; message: ConversationMessage }) {
  if (message.delivery === 'sending') return <span class="delivery sending">Sending…</span>;
  if (message.delivery === 'sent') return <span class="delivery sent">Sent</span>;
  if (message.delivery !== 'failed') return null;
  return (
    <span class="delivery failed">
      Not sent.{' '}
      <button type="button" class="link" onClick={() => void api.retry(conversation.id, message.id).then(() => refresh(conversation.id))}>
        Try again
      </button>
    </span>
  );
}

function Messages({ conversation }: { conversation: ConversationDetail }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [conversation.messages.length]);
  return (
    <ol class="messages" aria-label="Messages">
      {conversation.messages.map((message) => (
        <li key={message.id} class={`message ${message.author}`}>
          <span class="meta">
            <b>{message.authorName ?? (message.author === 'visitor' ? visitorName(conversation) : AUTHORS[message.author])}</b>
            {message.author !== 'visitor' && message.authorName ? <span class="muted"> · {AUTHORS[message.author]}</span> : null} ·{' '}
            <time dateTime={message.createdAt}>{time(message.createdAt)}</time> <Delivery conversation={conversation} message={message} />
          </span>
          <span class="text">{message.text}</span>
        </li>
      ))}
      <li ref={end} class="end" aria-hidden="true" />
    </ol>
  );
}

/** What the agent should know before writing: how the reply reaches the visitor, and under which name. */
function MappingNote() {
  const me = useStore($me)!;
  const config = useStore($config);
  if (!config?.chaportConnected) return <p class="note">Chaport is not connected: replies cannot be sent.</p>;
  if (me.chaport.mapping === 'none') return <p class="note warn">You are not mapped to a Chaport operator yet, so your replies cannot be sent. Ask an admin to map you.</p>;
  if (me.chaport.mapping === 'create')
    return (
      <p class="note">
        Your first reply creates a Chaport operator named "{me.name}". Chaport takes no avatar through its API: add one in Chaport if you want it.
      </p>
    );
  const operator = config.operator;
  if (me.chaport.mapping === 'operator' && operator)
    return (
      <p class="note">
        Visitors see your replies from the Chaport operator "{operator.name ?? operator.id}"
        {operator.sharedWith.length ? `, an operator you share with ${operator.sharedWith.join(', ')}: their replies show under that name too` : ''}.
      </p>
    );
  return null;
}

function Composer({ conversation }: { conversation: ConversationDetail }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const me = useStore($me)!;
  if (conversation.channel !== 'online_chat')
    return <p class="note">E-mail cases are read here; replies to e-mails are not sent from the desk yet. Write to {conversation.visitor.email ?? 'the visitor'} from your mail.</p>;
  const send = async () => {
    if (!text.trim() || sending) return;
    setSending(true);
    try {
      await api.reply(conversation.id, text);
      setText('');
      await refresh(conversation.id);
    } catch (error) {
      $notice.set({ kind: 'error', text: error instanceof DeskApiError ? error.message : 'The reply was not saved.' });
    } finally {
      setSending(false);
    }
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <MappingNote />
      <label for="reply">Reply to {visitorName(conversation)}</label>
      <textarea
        id="reply"
        rows={3}
        value={text}
        disabled={me.chaport.mapping === 'none'}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void send();
          }
        }}
        aria-describedby="reply-hint"
      />
      <div class="composer-actions">
        <span id="reply-hint" class="muted small">
          Ctrl+Enter to send
        </span>
        <button type="submit" class="primary" disabled={sending || !text.trim() || me.chaport.mapping === 'none'}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}

function Complete({ conversation }: { conversation: ConversationDetail }) {
  const [status, setStatus] = useState<'resolved' | 'pending' | 'open'>('resolved');
  if (conversation.phase !== 'live') return null;
  return (
    <div class="complete">
      <label>
        <span class="visually-hidden">Status after completing</span>
        <select value={status} onChange={(event) => setStatus(event.currentTarget.value as typeof status)}>
          <option value="resolved">Resolved</option>
          <option value="pending">Pending</option>
          <option value="open">Open</option>
        </select>
      </label>
      <button type="button" class="secondary" onClick={() => void api.complete(conversation.id, status).then(() => refresh(conversation.id))}>
        Complete chat
      </button>
    </div>
  );
}

export function Thread() {
  const conversation = useStore($detail);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [conversation?.id]);
  if (!conversation)
    return (
      <section id="thread" class="thread-pane empty-thread" aria-label="Conversation">
        <p>Choose a conversation. Live chats come in at once; completed ones join the cases.</p>
      </section>
    );
  return (
    <section id="thread" class="thread-pane" aria-labelledby="thread-title">
      <header class="thread-head">
        <button type="button" class="back link" onClick={() => void open(null)}>
          ← Conversations
        </button>
        <h2 id="thread-title" tabIndex={-1} ref={heading}>
          {conversation.subject} <span class="muted">#{conversation.number}</span>
        </h2>
        <p class="muted small">
          {channelName(conversation.channel)} · {groupName(conversation.group)} · {conversation.phase === 'live' ? 'live' : `${conversation.status}${conversation.completedBy ? `, completed by ${conversation.completedBy}` : ''}`}
          {conversation.assignee ? ` · assigned to ${conversation.assignee}` : ''}
        </p>
        <Complete conversation={conversation} />
      </header>
      <Messages conversation={conversation} />
      <Composer conversation={conversation} />
    </section>
  );
}
