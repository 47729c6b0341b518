import { MESSAGE_LIMITS } from '../../contract/api.ts';
import { fill } from '../../contract/fill.ts';
import { Icon } from '../panel/icons.tsx';
import type { FormField, View, WidgetUi } from '../ui/model.ts';

/** The e-mail form, then the honest status of the message: sending, waiting for the network, sent, refused. */
export function EmailForm({ view, ui }: { view: View; ui: WidgetUi }) {
  const { t } = ui;
  const { draft, errors } = view;
  const current =
    view.deliveries.find((delivery) => delivery.key === view.lastDelivery) ??
    view.deliveries.find((delivery) => delivery.state === 'waiting' || delivery.state === 'sending');

  if (current && current.state !== 'rejected') {
    const kind = current.state === 'sent' ? 'success' : current.state === 'waiting' ? 'offline' : '';
    return (
      <div class={`state ${kind}`}>
        <span class="state-icon">
          {current.state === 'sending' ? <span class="spinner" aria-hidden="true" /> : <Icon name={current.state === 'sent' ? 'check' : 'offline'} />}
        </span>
        <p role="status">
          {current.state === 'sending'
            ? t.formSending
            : current.state === 'sent'
              ? fill(t.formSent, { email: current.body.email })
              : ui.storageAvailable()
                ? t.formWaitingSaved
                : t.formWaitingMemory}
        </p>
        {current.state !== 'sending' && (
          <button type="button" class="secondary" onClick={current.state === 'sent' ? ui.writeAnother : ui.retry}>
            {current.state === 'sent' ? t.formAnother : t.formRetry}
          </button>
        )}
      </div>
    );
  }

  const field = (name: FormField, label: string, extra: Record<string, unknown>, multiline?: boolean) => {
    const error = errors[name];
    const props = {
      id: `ow-${name}`,
      name,
      value: draft[name],
      onInput: (event: Event) => ui.edit(name, (event.currentTarget as HTMLInputElement).value),
      onBlur: () => ui.check(name),
      'aria-invalid': error ? true : undefined,
      'aria-describedby': error ? `ow-${name}-error` : undefined,
      ...extra,
    };
    return [
      <label for={props.id}>{label}</label>,
      multiline ? <textarea {...props} rows={5} /> : <input {...props} />,
      error && (
        <p class="error" id={`ow-${name}-error`}>
          {error}
        </p>
      ),
    ];
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        ui.submit();
      }}
    >
      {current?.state === 'rejected' && (
        <p class="alert" role="alert">
          <Icon name="alert" />
          <span>{fill(t.formRejected, { reason: current.error.message })}</span>
        </p>
      )}
      {field('name', t.formName, { type: 'text', autoComplete: 'name', maxLength: MESSAGE_LIMITS.name })}
      {field('email', t.formEmail, { type: 'email', autoComplete: 'email', inputMode: 'email', required: true })}
      {field('message', t.formMessage, { required: true }, true)}
      <button type="submit" class="primary">
        {t.formSend}
      </button>
    </form>
  );
}
