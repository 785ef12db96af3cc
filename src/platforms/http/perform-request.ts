import type { AxiosInstance } from 'axios';
import type { PlatformFailure } from './platform-failure';
import { redactSecrets, redactUrl } from './redact';

/** The slice of Nest's `Logger` the clients use; tests pass their own object. */
export interface PlatformLogger {
  log(message: string): void;
  /** Successful calls are logged here (LOG_LEVEL=debug); collection makes thousands a second. */
  debug?(message: string): void;
  warn(message: string): void;
}

export type QueryValue = string | number | boolean | undefined;

export interface PlatformRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Values to redact from every log line and error message (tokens, app secrets). */
  secrets: readonly string[];
  /** Rewrites the raw text before JSON.parse (Weibo quotes 64-bit ids). */
  prepareJson?: (text: string) => string;
}

export type PlatformOutcome = { kind: 'ok'; status: number; body: unknown } | PlatformFailure;

export function buildPath(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.append(name, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Sends one request and sorts the result into ok / body / http / transport / malformed. Never
 * throws and never lets the axios error (whose config holds the URL and body) escape.
 */
export async function performRequest(
  http: AxiosInstance,
  logger: PlatformLogger,
  request: PlatformRequest,
): Promise<PlatformOutcome> {
  const url = buildPath(request.path, request.query);
  const started = performance.now();
  const line = (result: string): string =>
    redactSecrets(
      `${request.method} ${redactUrl(url, request.secrets)} ${result} ${Math.round(performance.now() - started)}ms`,
      request.secrets,
    );

  let response;
  try {
    response = await http.request<string>({ method: request.method, url, data: request.body });
  } catch (error: unknown) {
    const code = (error as { code?: unknown } | null)?.code;
    logger.warn(line(`failed ${typeof code === 'string' ? code : 'error'}`));
    return { kind: 'transport', error };
  }

  const { status } = response;
  const ok = line(String(status));
  if (logger.debug) logger.debug(ok);
  else logger.log(ok);
  const retryAfter = headerValue(response.headers['retry-after']);
  const text = typeof response.data === 'string' ? response.data : '';
  if (status >= 300 && status < 400) return { kind: 'http', status, retryAfter };

  let body: unknown;
  try {
    body = JSON.parse(request.prepareJson ? request.prepareJson(text) : text);
  } catch {
    return status >= 200 && status < 300
      ? { kind: 'malformed', status }
      : { kind: 'http', status, retryAfter };
  }
  if (status >= 200 && status < 300) return { kind: 'ok', status, body };
  return { kind: 'body', status, body, retryAfter };
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
