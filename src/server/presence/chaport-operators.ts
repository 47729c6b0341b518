import * as v from 'valibot';

/**
 * Chaport REST API: `GET /api/v1/operators` → `{"result": [{…, "realStatus": "online"}]}`.
 * Lenient on purpose: only `realStatus` matters, and Chaport may add fields at any time.
 */
const operatorsResponseSchema = v.object({
  result: v.array(v.looseObject({ realStatus: v.optional(v.nullable(v.string())) })),
});

export class ChaportApiError extends Error {
  override readonly name = 'ChaportApiError';
}

/** Whether any operator of the account is online. Throws ChaportApiError (never mentioning the token). */
export async function anyOperatorOnline(
  apiUrl: string,
  token: string,
  { fetch: fetchImpl = fetch, timeoutMs = 5000 }: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<boolean> {
  const url = `${apiUrl}/operators`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new ChaportApiError(`GET ${url} failed: ${reason}`);
  }
  if (!response.ok) {
    // Discard the body without waiting on it: a half-broken upstream must not hold the answer up.
    void response.body?.cancel().catch(() => {});
    throw new ChaportApiError(`GET ${url} answered ${response.status}${response.status === 401 ? ' (the API token was refused)' : ''}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ChaportApiError(`GET ${url} answered with invalid JSON`);
  }
  const parsed = v.safeParse(operatorsResponseSchema, body);
  if (!parsed.success) throw new ChaportApiError(`GET ${url} answered with an unexpected shape`);
  return parsed.output.result.some((operator) => operator.realStatus === 'online');
}
