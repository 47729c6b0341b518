/**
 * Typed events with any number of listeners. A listener that throws never stops the others, and never
 * reaches the host page as an uncaught exception: it is handed to `onListenerError`.
 */
export interface Emitter<Events extends object> {
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void;
  emit<E extends keyof Events>(event: E, payload: Events[E]): void;
  has(event: keyof Events): boolean;
  clear(): void;
}

export function createEmitter<Events extends object>(onListenerError: (error: unknown, event: keyof Events) => void): Emitter<Events> {
  let listeners: { [E in keyof Events]?: ((payload: Events[E]) => void)[] } = {};
  return {
    on(event, listener) {
      // A copy per change, so a listener that unsubscribes during emit does not skip its neighbour.
      listeners[event] = [...(listeners[event] ?? []), listener];
      return () => {
        listeners[event] = listeners[event]?.filter((item) => item !== listener);
      };
    },
    emit(event, payload) {
      for (const listener of listeners[event] ?? []) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
    has(event) {
      return !!listeners[event]?.length;
    },
    clear() {
      listeners = {};
    },
  };
}
