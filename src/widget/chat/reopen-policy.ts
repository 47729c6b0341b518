/**
 * Decides whether an agent's reply may re-open the chat the visitor closed (SPEC: "Re-open on agent reply").
 * It must never fight the visitor: once they close the chat twice within `fightWindowMs` of each other — say,
 * right after it re-opened itself — replies only raise the unread badge, until the visitor opens the chat again.
 */
export interface ReopenPolicy {
  visitorOpened(): void;
  chatClosed(): void;
  shouldReopen(): boolean;
}

export function createReopenPolicy({ enabled, fightWindowMs = 15_000, now = Date.now }: { enabled: boolean; fightWindowMs?: number; now?: () => number }): ReopenPolicy {
  let lastClose: number | undefined;
  let suppressed = false;
  return {
    visitorOpened() {
      suppressed = false;
      lastClose = undefined;
    },
    chatClosed() {
      const at = now();
      if (lastClose !== undefined && at - lastClose <= fightWindowMs) suppressed = true;
      lastClose = at;
    },
    shouldReopen: () => enabled && !suppressed,
  };
}
