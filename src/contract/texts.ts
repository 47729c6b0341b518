import * as v from 'valibot';
import type { Locale } from './config.ts';

/**
 * Every text the widget shows or announces. The helpdesk serves them in the widget's configuration
 * (`texts.en`, `texts.ru`): these defaults, with the site owner's overrides from the configuration file. So
 * texts are editable per widget, a new wording needs no SDK release, and the SDK bundle carries no dictionary.
 * `{name}` marks a value filled in by the SDK.
 */
const en = {
  launcher: 'Contact us',
  unread: 'Unread messages: {count}',
  title: 'How would you like to contact us?',
  close: 'Close',
  back: 'Back',
  newTab: '(opens in a new tab)',
  chaport: 'Online chat',
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  viber: 'Viber',
  vk: 'VK',
  messenger: 'Messenger',
  email: 'E-mail',
  phone: 'Call us',
  link: 'Link',
  chatLoading: 'Connecting to the chat…',
  chatFailed: 'The chat is unavailable right now. Please choose another way to contact us.',
  chatConsent: 'The chat is provided by Chaport, which stores cookies in your browser.',
  chatConsentAccept: 'Accept and open the chat',
  chatOpen: 'Open the chat',
  formTitle: 'Write to us',
  formName: 'Your name (optional)',
  formEmail: 'E-mail',
  formMessage: 'Message',
  formSend: 'Send',
  formSending: 'Sending…',
  formSent: 'Thank you! Your message has been sent. We will reply to {email}.',
  formWaitingSaved: 'No connection. Your message is saved on this device and will be sent automatically.',
  formWaitingMemory: 'No connection. Your message will be sent automatically while this page stays open.',
  formRetry: 'Try again now',
  formRejected: 'The message was not accepted: {reason}',
  formAnother: 'Write another message',
  fieldRequired: 'Please fill in this field.',
  fieldEmail: 'Please enter a valid e-mail address, such as name@example.com.',
  fieldTooLong: 'Please keep it under {max} characters.',
};

export type TextKey = keyof typeof en;
export type Texts = Record<TextKey, string>;

const ru: Texts = {
  launcher: 'Связаться с нами',
  unread: 'Непрочитанных сообщений: {count}',
  title: 'Как вам удобнее связаться с нами?',
  close: 'Закрыть',
  back: 'Назад',
  newTab: '(откроется в новой вкладке)',
  chaport: 'Онлайн-чат',
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  viber: 'Viber',
  vk: 'ВКонтакте',
  messenger: 'Messenger',
  email: 'Написать на почту',
  phone: 'Позвонить',
  link: 'Ссылка',
  chatLoading: 'Подключаемся к чату…',
  chatFailed: 'Чат сейчас недоступен. Пожалуйста, выберите другой способ связи.',
  chatConsent: 'Чат работает на Chaport, который сохраняет cookie в вашем браузере.',
  chatConsentAccept: 'Принять и открыть чат',
  chatOpen: 'Открыть чат',
  formTitle: 'Напишите нам',
  formName: 'Ваше имя (необязательно)',
  formEmail: 'E-mail',
  formMessage: 'Сообщение',
  formSend: 'Отправить',
  formSending: 'Отправляем…',
  formSent: 'Спасибо! Сообщение отправлено. Мы ответим на {email}.',
  formWaitingSaved: 'Нет связи. Сообщение сохранено на этом устройстве и будет отправлено автоматически.',
  formWaitingMemory: 'Нет связи. Сообщение будет отправлено автоматически, пока эта страница открыта.',
  formRetry: 'Повторить сейчас',
  formRejected: 'Сообщение не принято: {reason}',
  formAnother: 'Написать ещё одно сообщение',
  fieldRequired: 'Заполните это поле.',
  fieldEmail: 'Укажите корректный e-mail, например name@example.com.',
  fieldTooLong: 'Не длиннее {max} символов.',
};

export const DEFAULT_TEXTS: Record<Locale, Texts> = { en, ru };

const isTextTable = (value: unknown) => !!value && typeof value === 'object' && Object.values(value).every((text) => typeof text === 'string');

/**
 * The texts in a public configuration: a table per language. Checked loosely here (the SDK ships this check);
 * the server builds them from the defaults above and validated overrides, so every key is present.
 */
export const textsSchema = v.custom<Record<Locale, Texts>>(
  (value) => isTextTable((value as Record<string, unknown> | null)?.en) && isTextTable((value as Record<string, unknown> | null)?.ru),
  'must hold a table of texts for "en" and "ru"',
);

export { fill } from './fill.ts';
