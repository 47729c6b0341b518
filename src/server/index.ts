/** The helpdesk API: configuration, presence and the e-mail form, as a Hono app and a Node server. */
export { createApi } from './app.ts';
export type { ApiOptions } from './app.ts';
export { ConfigFileError, configFileSchema, loadConfigFile, parseConfigFile } from './config/file.ts';
export type { ChaportAccount, WidgetEntry, WidgetRegistry } from './config/file.ts';
export { createLogger, silentLogger } from './log.ts';
export type { Logger } from './log.ts';
export { IdempotencyConflictError, openMessageStore } from './messages/store.ts';
export type { MessageStore, SaveResult, StoredMessage } from './messages/store.ts';
export { ChaportApiError, anyOperatorOnline } from './presence/chaport-operators.ts';
export { createPresenceService } from './presence/service.ts';
export type { PresenceOptions, PresenceService } from './presence/service.ts';
export { listen } from './start.ts';
export type { RunningServer } from './start.ts';
