/**
 * Anthropic's error vocabulary: the `error.type` each HTTP status carries and
 * the JSON body shape, so faults look exactly like the real API's refusals.
 */

/**
 * The `error.type` Anthropic sends with each status; anything unlisted is `api_error`.
 * Kept apart from the proxy's own copy on purpose: a test double that shared
 * the code under test would share its mistakes.
 */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  invalid_request_error: 'Invalid request.',
  authentication_error: 'invalid x-api-key',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of requests has exceeded your rate limit. Please try again later.',
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
};

/** Anthropic's error body: `{"type":"error","error":{type,message},"request_id"}`. */
export function errorBody(status: number, requestId: string, message?: string): string {
  const type = errorTypeForStatus(status);
  return JSON.stringify({ type: 'error', error: { type, message: message ?? DEFAULT_MESSAGES[type] }, request_id: requestId });
}
