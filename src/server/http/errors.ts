import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, ErrorCode } from '../../contract/api.ts';

/**
 * An error the API answers with on purpose: its status, code and message reach the client as
 * `{"error": {"code", "message", "field"?}}`. Anything else thrown becomes a generic 500 without details.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A refused document with several problems (the settings): each one with its field, so a form can show it there. */
export class InvalidFieldsError extends ApiError {
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(400, 'invalid_body', message, issues[0]?.field);
  }
}

export function errorBody(code: ErrorCode, message: string, field?: string, issues?: { field: string; message: string }[]): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}), ...(issues ? { issues } : {}) } };
}

export function sendError(c: Context, error: ApiError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  return c.json(errorBody(error.code, error.message, error.field, error instanceof InvalidFieldsError ? error.issues : undefined), error.status);
}
