import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY } from '../auth/access-policy.decorator';
import { buildValidationPipe } from '../common/validation';
import { PutCredentialDto } from './credential.dto';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';

describe('CredentialsController (OpenAPI and policies)', () => {
  let app: NestFastifyApplication;
  let document: ReturnType<typeof SwaggerModule.createDocument>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [CredentialsController],
      providers: [{ provide: CredentialsService, useValue: {} }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
  });

  afterAll(async () => {
    await app.close();
  });

  it('documents every route with a summary and a description', () => {
    const operations = Object.values(document.paths['/api/v1/accounts/{accountId}/credentials']);
    expect(operations).toHaveLength(3);
    for (const op of operations as { summary?: string; description?: string }[]) {
      expect(op.summary).toBeTruthy();
      expect(op.description).toBeTruthy();
    }
  });

  it('puts no secret or ciphertext field in any component schema (R19)', () => {
    const schemas = JSON.stringify(document.components?.schemas ?? {});
    expect(schemas).toContain('CredentialStateResponse');
    expect(schemas).not.toMatch(
      /"(secret|appSecret|accessToken|ciphertext|iv|tag|password|secretHash|secret_hash)"/,
    );
  });

  it('needs admin to write and viewer to read', () => {
    const role = (name: keyof CredentialsController) => {
      const handler = Object.getOwnPropertyDescriptor(CredentialsController.prototype, name)!
        .value as object;
      return (Reflect.getMetadata(ACCESS_POLICY, handler) as { role: string }).role;
    };
    expect([role('get'), role('put'), role('revoke')]).toEqual(['viewer', 'admin', 'admin']);
  });

  it('refuses unknown fields and malformed values without echoing them (R19)', async () => {
    const pipe = buildValidationPipe();
    const validate = (body: unknown) =>
      pipe.transform(body, { type: 'body', metatype: PutCredentialDto });
    await expect(
      validate({ appId: 'wx1234567890abcdef', appSecret: 'x'.repeat(32) }),
    ).resolves.toBeInstanceOf(PutCredentialDto);
    for (const [body, field] of [
      [{ appId: 'wx1234567890abcdef', appSecret: 'x'.repeat(32), isAdmin: true }, 'isAdmin'],
      [{ accessToken: 'tok-12345678', id: 3 }, 'id'],
      [{ appId: 'gh_nope', appSecret: 'x'.repeat(32) }, 'appId'],
      [{ appId: 'wx1234567890abcdef', appSecret: 'short secret!' }, 'appSecret'],
      [{ accessToken: 'tok-12345678', expiresAt: 'tomorrow' }, 'expiresAt'],
    ] as const) {
      const error = await validate(body).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error, field).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { errors: expect.arrayContaining([expect.objectContaining({ field })]) },
      });
      expect(JSON.stringify(error)).not.toContain('short secret!');
    }
  });
});
