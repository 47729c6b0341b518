import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS, type TextKey } from '../../contract/texts.ts';
import { LOCALES } from '../../contract/wire.ts';
import { LATER_TEXTS, withLaterTexts } from './later-texts.ts';

/** The keys of the first release (0.1): a server of that version sends exactly these. Frozen: never edit this list. */
const FIRST_RELEASE_KEYS = [
  'launcher', 'unread', 'title', 'close', 'back', 'newTab', 'chaport', 'telegram', 'whatsapp', 'viber', 'vk', 'messenger', 'email', 'phone', 'link',
  'chatLoading', 'chatFailed', 'chatConsent', 'chatConsentAccept', 'formTitle', 'formName', 'formEmail', 'formMessage', 'formSend', 'formSending',
  'formSent', 'formWaitingSaved', 'formWaitingMemory', 'formRetry', 'formRejected', 'formAnother', 'fieldRequired', 'fieldEmail', 'fieldTooLong',
];

describe('texts an older server does not send', () => {
  it('every key added since the first release has the SDK\'s own wording, equal to the contract\'s default', () => {
    const later = Object.keys(DEFAULT_TEXTS.en).filter((key) => !FIRST_RELEASE_KEYS.includes(key)) as TextKey[];
    expect(later).toContain('chatOpen');
    for (const locale of LOCALES) {
      expect(Object.keys(LATER_TEXTS[locale]).sort()).toEqual([...later].sort());
      for (const key of later) expect(LATER_TEXTS[locale][key]).toBe(DEFAULT_TEXTS[locale][key]);
    }
  });

  it('a first-release server\'s table gains them, and no key reads undefined', () => {
    for (const locale of LOCALES) {
      const old = Object.fromEntries(FIRST_RELEASE_KEYS.map((key) => [key, DEFAULT_TEXTS[locale][key as TextKey]])) as (typeof DEFAULT_TEXTS)['en'];
      const texts = withLaterTexts(old, locale);
      for (const key of Object.keys(DEFAULT_TEXTS[locale]) as TextKey[]) expect(typeof texts[key], key).toBe('string');
    }
  });

  it('the server\'s wording wins over the SDK\'s', () => {
    expect(withLaterTexts({ ...DEFAULT_TEXTS.en, chatOpen: 'Chat now' }, 'en').chatOpen).toBe('Chat now');
  });
});
