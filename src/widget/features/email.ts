import type { ApiClient } from '../api.ts';
import type { Texts } from '../../contract/texts.ts';
import type { Email } from '../email/email.ts';
import type { MessageError } from '../errors.ts';
import type { KeyValueStorage } from '../storage.ts';
import type { FormField } from '../ui/model.ts';
import type { LoadChunk } from './chunks.ts';
import type { Stores } from './stores.ts';

export interface EmailFeatureDeps {
  stores: Stores;
  api: ApiClient;
  storage(): KeyValueStorage | null;
  t(): Texts;
  page(): string | undefined;
  focusField(field: FormField): void;
  onSent(id: string): void;
  onRejected(error: MessageError): void;
  load: LoadChunk;
  report(error: unknown): void;
  win: Window;
}

export type EmailFeature = ReturnType<typeof emailFeature>;

/** Where the outbox keeps a waiting message (see email/outbox.ts). */
const OUTBOX_PREFIX = 'outbox:';

/**
 * The e-mail form, with its code in a chunk of its own: loaded when the visitor opens the form, or with the page
 * when a message from an earlier page is still waiting to be sent (so it is sent without the visitor doing anything).
 */
export function emailFeature(deps: EmailFeatureDeps) {
  let email: Email | undefined;
  let loading: Promise<Email | undefined> | undefined;
  let stopped = false;

  const ensure = () =>
    (loading ??= deps.load('email').then(
      ({ createEmail, EmailForm }) => {
        if (stopped) return undefined;
        email = createEmail({ ...deps, storage: deps.storage() });
        deps.stores.parts.set({ ...deps.stores.parts.get(), EmailForm });
        return email;
      },
      (error: unknown) => {
        loading = undefined;
        deps.report(error);
        return undefined;
      },
    ));
  const retry = () => email?.retry();
  deps.win.addEventListener('online', retry);

  return {
    /** A message from an earlier page still waits (storage: read after the launcher is drawn): load the form's code to send it. */
    start: () => void (!stopped && deps.storage()?.keys(OUTBOX_PREFIX).length && ensure()),
    /** Resolves when the form can be shown (false if its code could not be loaded). */
    ensure: async () => !!(await ensure()),
    edit: (field: FormField, value: string) => email?.edit(field, value),
    check: (field: FormField) => email?.check(field),
    submit: () => email?.submit(),
    retry,
    writeAnother: () => email?.writeAnother(),
    /** Consent given or withdrawn: where waiting messages are kept. */
    setStorage: (storage: KeyValueStorage | null) => email?.setStorage(storage),
    stop() {
      stopped = true;
      deps.win.removeEventListener('online', retry);
      email?.stop();
    },
  };
}
