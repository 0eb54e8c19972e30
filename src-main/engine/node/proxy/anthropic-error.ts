/**
 * Error bodies in Anthropic's format, so Claude Code and the SDK show QCC's
 * own errors the way they show the API's (and apply the same retry rules).
 */
import type { Http1Response } from './http1/http1-response.js';

/** Anthropic's `error.type` for each status it uses. */
export function anthropicErrorType(status: number): string {
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

/** `{"type":"error","error":{"type":…,"message":…}}` */
export function anthropicErrorBody(status: number, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message } });
}

/** A well-formed SSE `error` event, for a stream that fails after it was committed. */
export function anthropicErrorEvent(message: string, type = 'api_error'): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`;
}

/** For an answer given without reading the rest of the request: the connection cannot carry another. */
export const CLOSE_CONNECTION: readonly string[] = ['connection', 'close'];

/** Answers with one of QCC's own errors, unless a response is already under way. `headers` is a flat name, value list. */
export function sendAnthropicError(res: Http1Response, status: number, message: string, headers: readonly string[] = []): void {
  if (res.headersSent || res.destroyed) return;
  const body = anthropicErrorBody(status, message);
  res.writeHead(status, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), ...headers]);
  res.end(body);
}
