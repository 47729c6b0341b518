import type { CompletedBy, ConversationChannel, ConversationPhase, ConversationStatus } from '../../contract/helpdesk.ts';

/**
 * The conversation lifecycle, in one place. An online chat is `live` from its first message until it is completed —
 * by an agent, after `idleMinutes` of silence on both sides, by Chaport (`chat.finished`, or a closed chat), or by an
 * automation rule — and is then a `case`, listed with the e-mail cases (the seed: real-time chats are handled apart,
 * and join the general list only once completed). An e-mail is a case from the start. A visitor who writes again
 * after completion starts a new live chat: a completed conversation never becomes live again.
 */
export interface LifecycleState {
  channel: ConversationChannel;
  phase: ConversationPhase;
  status: ConversationStatus;
  lastActivityAt: number;
  liveUntil: number | null;
  completedAt: number | null;
  completedBy: CompletedBy | null;
}

export type LifecycleEvent =
  | { type: 'activity'; at: number; idleMs: number }
  | { type: 'complete'; by: CompletedBy; at: number; status?: ConversationStatus }
  | { type: 'setStatus'; status: ConversationStatus };

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

export function start(channel: ConversationChannel, at: number, idleMs: number): LifecycleState {
  return channel === 'online_chat'
    ? { channel, phase: 'live', status: 'open', lastActivityAt: at, liveUntil: at + idleMs, completedAt: null, completedBy: null }
    : { channel, phase: 'case', status: 'open', lastActivityAt: at, liveUntil: null, completedAt: null, completedBy: null };
}

/** Whether a message arriving now still belongs to this conversation, or starts a new one. */
export const acceptsMessages = (state: LifecycleState) => state.phase === 'live' || state.channel === 'email';

export function transition(state: LifecycleState, event: LifecycleEvent): LifecycleState {
  switch (event.type) {
    case 'activity':
      // A live chat's silence clock restarts; a case just records when it last moved.
      return {
        ...state,
        lastActivityAt: Math.max(state.lastActivityAt, event.at),
        liveUntil: state.phase === 'live' ? Math.max(state.liveUntil ?? 0, event.at + event.idleMs) : state.liveUntil,
        ...(state.phase === 'case' && state.status === 'resolved' ? { status: 'open' as const } : {}),
      };
    case 'complete':
      if (state.phase !== 'live') throw new LifecycleError(`Only a live chat can be completed; this conversation is already a ${state.phase}`);
      return { ...state, phase: 'case', status: event.status ?? state.status, liveUntil: null, completedAt: event.at, completedBy: event.by };
    case 'setStatus':
      return { ...state, status: event.status };
  }
}

/** Live chats silent past their time are due for completion by `idle`. */
export const idleDue = (state: LifecycleState, now: number) => state.phase === 'live' && state.liveUntil !== null && state.liveUntil <= now;
