import type { ApiClient } from '../api.ts';
import type { Texts } from '../../contract/texts.ts';
import type { MessageError } from '../errors.ts';
import type { Stores } from '../features/stores.ts';
import { randomId } from '../random-id.ts';
import type { KeyValueStorage } from '../storage.ts';
import type { FormField } from '../ui/model.ts';
import { requestOf, validateDraft } from './form.ts';
import { createOutbox } from './outbox.ts';
import { messageSender } from './send.ts';

export interface EmailDeps {
  stores: Pick<Stores, 'deliveries' | 'lastDelivery' | 'draft' | 'errors'>;
  api: ApiClient;
  storage: KeyValueStorage | null;
  t: () => Texts;
  /** The page the visitor writes from, sent with the message (http(s) pages only). */
  page(): string | undefined;
  focusField(field: FormField): void;
  onSent(id: string): void;
  onRejected(error: MessageError): void;
}

export type Email = ReturnType<typeof createEmail>;

/**
 * The e-mail form's behaviour: the draft, inline validation with the API's own schema, and the outbox that keeps a
 * message until the helpdesk confirms it. Writes only to the widget's stores; the form renders from them.
 */
export function createEmail({ stores, api, storage, t, page, focusField, onSent, onRejected }: EmailDeps) {
  const { draft: $draft, errors: $errors, lastDelivery: $lastDelivery } = stores;
  const outbox = createOutbox({
    storage,
    send: messageSender(api),
    newKey: randomId,
    $deliveries: stores.deliveries,
    onSent(delivery) {
      if (delivery.key === $lastDelivery.get()) $draft.set({ ...$draft.get(), message: '' });
      onSent(delivery.id);
    },
    onRejected,
  });
  const check = (field: FormField) => $errors.set({ ...$errors.get(), [field]: validateDraft($draft.get(), t())[field] });

  return {
    edit(field: FormField, value: string) {
      $draft.set({ ...$draft.get(), [field]: value });
      if ($errors.get()[field]) check(field);
    },
    /** Inline validation when the visitor leaves a field, never while they type. */
    check,
    submit() {
      const errors = validateDraft($draft.get(), t());
      $errors.set(errors);
      const invalid = (['name', 'email', 'message'] as const).find((field) => errors[field]);
      if (invalid) return focusField(invalid);
      $lastDelivery.set(outbox.submit(requestOf($draft.get(), page())));
    },
    retry: () => outbox.retryNow(),
    writeAnother: () => $lastDelivery.set(undefined),
    setStorage: (next: KeyValueStorage | null) => outbox.setStorage(next),
    stop: () => outbox.stop(),
  };
}
