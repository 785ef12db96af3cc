import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';

export interface PlatformHttpOptions {
  baseUrl: string;
  /** Per-request budget: connect/idle timeout and the overall deadline. */
  timeoutMs: number;
  /** Response (and request) body cap in bytes. */
  maxBodyBytes: number;
  keepAlive?: boolean;
  maxSockets?: number;
}

/** Axios error code used when the overall deadline (not the idle timeout) aborted the call. */
export const DEADLINE_EXCEEDED_CODE = 'ETIMEDOUT';

/**
 * The one axios setup both platform clients use. Statuses are never thrown (clients interpret
 * them), redirects are never followed, bodies are capped and returned as text so the caller parses
 * JSON itself and can classify a malformed body.
 */
export function createPlatformHttp(options: PlatformHttpOptions): AxiosInstance {
  const keepAlive = options.keepAlive ?? true;
  const maxSockets = options.maxSockets ?? 16;
  const instance = axios.create({
    baseURL: options.baseUrl,
    allowAbsoluteUrls: false,
    timeout: options.timeoutMs,
    maxContentLength: options.maxBodyBytes,
    maxBodyLength: options.maxBodyBytes,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    httpAgent: new http.Agent({ keepAlive, maxSockets }),
    httpsAgent: new https.Agent({ keepAlive, maxSockets }),
    headers: { Accept: 'application/json' },
  });

  // Node's socket timeout restarts on every byte, so a 1 byte/s drip would never time out;
  // the AbortSignal deadline bounds the whole call.
  instance.interceptors.request.use((config) => {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const caller = config.signal as AbortSignal | undefined;
    config.signal = caller ? AbortSignal.any([caller, deadline]) : deadline;
    return config;
  });
  instance.interceptors.response.use(undefined, (error: unknown) => {
    if (axios.isCancel(error)) {
      const signal = (error as AxiosError).config?.signal as AbortSignal | undefined;
      const reason: unknown = signal?.reason;
      if (reason instanceof Error && reason.name === 'TimeoutError') {
        throw new AxiosError(
          `deadline of ${options.timeoutMs}ms exceeded`,
          DEADLINE_EXCEEDED_CODE,
          (error as AxiosError).config,
        );
      }
    }
    throw error;
  });
  return instance;
}
