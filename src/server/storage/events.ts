import type { ChangeEvent } from './database.ts';

/** Fan-out of committed change events to this process's listeners. A throwing listener never stops the others. */
export function createEventBus(onListenerError: (error: unknown) => void = () => {}) {
  const listeners = new Set<(event: ChangeEvent) => void>();
  return {
    emit(event: ChangeEvent): void {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    subscribe(listener: (event: ChangeEvent) => void): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
