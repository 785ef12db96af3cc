import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';

/** Header and body paths never written to logs (secrets are also redacted by value in clients). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.accessToken',
  '*.appSecret',
  '*.secret',
  '*.password',
  '*.access_token',
];

export function buildLoggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      // Fastify assigned the request id (from X-Request-Id or a new UUID); reuse it.
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
      customProps: () => ({ role: config.role }),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Nest mounts this as middleware, which sees a path-stripped req.url; originalUrl is whole.
      autoLogging: {
        ignore: (req) =>
          (
            (req as IncomingMessage & { originalUrl?: string }).originalUrl ??
            req.url ??
            ''
          ).startsWith('/health/'),
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    },
  };
}
