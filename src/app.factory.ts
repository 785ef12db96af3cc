import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import multipart from '@fastify/multipart';
import { AppModule } from './app.module';
import { ApiKeysService } from './auth/api-keys.service';
import { buildValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { createMetricsRegistry } from './health/metrics.registry';
import { DemoService } from './demo/demo.service';
import type { RunningSimulator } from './simulator';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the Nest application (not yet listening). Shared by main.ts and the e2e tests. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  simulator?: RunningSimulator,
): Promise<NestFastifyApplication> {
  const metrics = createMetricsRegistry();
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // Keep a caller's X-Request-Id when it is sane, so logs correlate across services.
    genReqId: (req: IncomingMessage) => {
      const header = req.headers['x-request-id'];
      const id =
        typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, databaseUrl, metrics, simulator }),
    adapter,
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(buildValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(multipart, {
    limits: { fileSize: config.http.bodyLimitBytes, files: 1, fields: 10 },
  });
  // CSV imports arrive as raw text; the import service parses them.
  fastify.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );
  // While draining, answer with `Connection: close` so keep-alive sockets do not hold shutdown open.
  let draining = false;
  fastify.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (draining) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  if (config.role !== 'worker') {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('gov-media-monitor API')
        .setDescription(
          '政务新媒体影响力监测: regions, the registry of government WeChat and Weibo accounts and their encrypted platform credentials (collection, scores and indices come in later releases). ' +
            'Send an API key as `X-API-Key: <key>` (or `Authorization: Bearer <key>`). Errors are `{ code, message, correlationId }`.',
        )
        .setVersion('0.1.0')
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }

  await app.init();
  if (config.role !== 'worker') {
    await app.get(ApiKeysService).ensureInitialAdminKey();
    // After init: the region catalog the import validates against is loaded by then.
    if (simulator) await app.get(DemoService).start();
  }
  return app;
}
