import * as v from 'valibot';
import { MESSAGE_LIMITS, fill, issuePath, messageRequestSchema, type Texts } from '../../contract/index.ts';
import type { Draft, FieldErrors, FormField } from './model.ts';

/** Validates with the API's own schema, so the form and the server can never disagree; messages localized. */
export function validateDraft(draft: Draft, t: Texts): FieldErrors {
  const result = v.safeParse(messageRequestSchema, { ...draft, name: draft.name || undefined });
  const errors: FieldErrors = {};
  for (const issue of result.issues ?? []) {
    const field = issuePath(issue) as FormField;
    errors[field] ??= issue.type === 'max_length' ? fill(t.fieldTooLong, { max: MESSAGE_LIMITS[field] }) : issue.type === 'email' ? t.fieldEmail : t.fieldRequired;
  }
  return errors;
}
