import { writeSync } from 'node:fs';

/**
 * One JSON object per line on stdout. Callers pass facts, never headers or configuration objects,
 * so a secret (the Chaport token) has no path into a log line.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(write: (line: string) => void = bufferedStdout()): Logger {
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * Lines gathered for one turn of the event loop and written together: under load, one write per request to a
 * pipe costs the server more than the request. Flushed synchronously on exit, so no line is lost to `process.exit`.
 */
function bufferedStdout(): (line: string) => void {
  let pending: string[] = [];
  const take = () => {
    const text = `${pending.join('\n')}\n`;
    pending = [];
    return text;
  };
  process.once('exit', () => {
    if (!pending.length) return;
    try {
      writeSync(1, take());
    } catch {
      /* stdout closed: nowhere left to say it */
    }
  });
  return (line) => {
    if (pending.push(line) === 1) setImmediate(() => pending.length && process.stdout.write(take()));
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
