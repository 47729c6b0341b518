import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from './emitter.ts';

describe('emitter', () => {
  it('calls every listener in order and unsubscribes one at a time', () => {
    const failures: unknown[] = [];
    const events = createEmitter<{ ping: number }>((error) => failures.push(error));
    const calls: string[] = [];
    const offA = events.on('ping', (n) => calls.push(`a${n}`));
    events.on('ping', (n) => calls.push(`b${n}`));
    events.emit('ping', 1);
    offA();
    offA();
    events.emit('ping', 2);
    expect(calls).toEqual(['a1', 'b1', 'b2']);
    expect(failures).toEqual([]);
  });

  it('keeps going when a listener throws and reports the failure', () => {
    const onError = vi.fn();
    const events = createEmitter<{ ping: void }>(onError);
    const second = vi.fn();
    events.on('ping', () => {
      throw new Error('boom');
    });
    events.on('ping', second);
    events.emit('ping', undefined);
    expect(second).toHaveBeenCalledOnce();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }), 'ping');
  });

  it('does not skip a listener when another unsubscribes while emitting', () => {
    const events = createEmitter<{ ping: void }>(() => {});
    const calls: string[] = [];
    const off = events.on('ping', () => {
      calls.push('first');
      off();
    });
    events.on('ping', () => calls.push('second'));
    events.emit('ping', undefined);
    expect(calls).toEqual(['first', 'second']);
    expect(events.has('ping')).toBe(true);
    events.clear();
    expect(events.has('ping')).toBe(false);
  });
});
