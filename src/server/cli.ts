#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createApi } from './app.ts';
import { ConfigFileError, loadConfigFile } from './config/file.ts';
import { createLogger } from './log.ts';
import { openMessageStore } from './messages/store.ts';
import { createPresenceService } from './presence/service.ts';
import { listen } from './start.ts';

/**
 * `omniwidget-server --config widgets.json [--port 8081] [--host 127.0.0.1] [--db ./data/omniwidget.sqlite] [--script dist/omniwidget.js]`
 * Environment: OMNIWIDGET_CONFIG, PORT, HOST, OMNIWIDGET_DB, OMNIWIDGET_SCRIPT, OMNIWIDGET_PRESENCE_REFRESH_SECONDS, and the
 * Chaport token variables named by the configuration (CHAPORT_API_TOKEN by default).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, db: { type: 'string' }, script: { type: 'string' } },
  });
  const configPath = values.config ?? process.env.OMNIWIDGET_CONFIG;
  if (!configPath) fail('No configuration: pass --config <file> or set OMNIWIDGET_CONFIG');
  const log = createLogger();
  let widgets;
  try {
    widgets = loadConfigFile(configPath);
  } catch (error) {
    if (error instanceof ConfigFileError) fail(error.message);
    throw error;
  }
  const store = openMessageStore(values.db ?? process.env.OMNIWIDGET_DB ?? './data/omniwidget.sqlite');
  const refreshSeconds = Number(process.env.OMNIWIDGET_PRESENCE_REFRESH_SECONDS ?? 15);
  const app = createApi({
    widgets,
    store,
    log,
    presence: createPresenceService({ refreshMs: refreshSeconds * 1000, log }),
    // Built layout: dist/server/cli.js beside dist/omniwidget.js.
    widgetScriptPath: values.script ?? process.env.OMNIWIDGET_SCRIPT ?? fileURLToPath(new URL('../omniwidget.js', import.meta.url)),
  });
  const server = await listen(app, { port: Number(values.port ?? process.env.PORT ?? 8081), host: values.host ?? process.env.HOST ?? '127.0.0.1' });
  log.info('server.listening', { url: server.url, widgets: [...widgets.keys()] });
  const stop = async () => {
    await server.close();
    store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function fail(message: string): never {
  process.stderr.write(`omniwidget-server: ${message}\n`);
  process.exit(2);
}

void main();
