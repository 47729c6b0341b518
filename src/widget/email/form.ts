import * as v from 'valibot';
import { MESSAGE_LIMITS, messageRequestSchema, type MessageRequest } from '../../contract/api.ts';
import { fill } from '../../contract/fill.ts';
import type { Texts } from '../../contract/texts.ts';
import { issuePath } from '../../contract/issues.ts';
import type { Draft, FieldErrors, FormField } from '../ui/model.ts';

/** What the form sends: the draft trimmed (the API stores exactly what it gets, so the tidying happens here). */
export function requestOf(draft: Draft, page?: string): MessageRequest {
  const name = draft.name.trim();
  return { email: draft.email.trim(), message: draft.message.trim(), ...(name ? { name } : {}), ...(page ? { page } : {}) };
}

/** Validates with the API's own schema, so the form and the server can never disagree; messages localized. */
export function validateDraft(draft: Draft, t: Texts): FieldErrors {
  const result = v.safeParse(messageRequestSchema, requestOf(draft));
  const errors: FieldErrors = {};
  for (const issue of result.issues ?? []) {
    const field = issuePath(issue) as FormField;
    errors[field] ??= issue.type === 'max_length' ? fill(t.fieldTooLong, { max: MESSAGE_LIMITS[field] }) : issue.type === 'email' ? t.fieldEmail : t.fieldRequired;
  }
  return errors;
}
