import { type ApiBody, ApiProperty } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, Matches } from 'class-validator';
import { WECHAT_APP_ID_PATTERN } from '../accounts/account-rules';
import { CREDENTIAL_KINDS, type CredentialKind, type CredentialState } from './credential-kinds';

// Printable ASCII without spaces; the exact formats are the platforms' business.
const SECRET_PATTERN = /^[\x21-\x7e]{16,128}$/;
const TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;

/**
 * Body of PUT …/credentials. Which fields are allowed depends on the account's platform
 * (checked in the service): WeChat {appId, appSecret}; Weibo {accessToken, expiresAt?}.
 * Deliberately without @ApiProperty: the OpenAPI body is an inline schema (CREDENTIAL_BODY_SCHEMA),
 * so no secret-bearing field ever appears among the document's component schemas (R19 scan).
 * Validation messages never echo the value.
 */
export class PutCredentialDto {
  @IsOptional()
  @Matches(WECHAT_APP_ID_PATTERN, { message: 'appId must be wx followed by 16 hex digits' })
  appId?: string;

  @IsOptional()
  @IsString()
  @Matches(SECRET_PATTERN, {
    message: 'appSecret must be 16–128 printable ASCII characters without spaces',
  })
  appSecret?: string;

  @IsOptional()
  @IsString()
  @Matches(TOKEN_PATTERN, {
    message: 'accessToken must be 8–512 printable ASCII characters without spaces',
  })
  accessToken?: string;

  @IsOptional()
  @IsDateString({ strict: true }, { message: 'expiresAt must be an ISO 8601 instant' })
  expiresAt?: string;
}

type BodySchema = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

export const CREDENTIAL_BODY_SCHEMA: BodySchema = {
  oneOf: [
    {
      title: 'WeChat',
      type: 'object',
      required: ['appId', 'appSecret'],
      additionalProperties: false,
      properties: {
        appId: { type: 'string', example: 'wx1234567890abcdef' },
        appSecret: {
          type: 'string',
          writeOnly: true,
          description: 'Stored encrypted; never returned.',
        },
      },
    },
    {
      title: 'Weibo',
      type: 'object',
      required: ['accessToken'],
      additionalProperties: false,
      properties: {
        accessToken: {
          type: 'string',
          writeOnly: true,
          description: 'OAuth2 access token; stored encrypted.',
        },
        expiresAt: {
          type: 'string',
          format: 'date-time',
          description: 'When the token expires, if known.',
        },
      },
    },
  ],
};

export const CREDENTIAL_RESPONSE_STATES = ['valid', 'expired', 'revoked', 'never'] as const;
export type CredentialResponseState = (typeof CREDENTIAL_RESPONSE_STATES)[number];

/** What anyone may know about a credential: never the secret, its envelope or a token. */
export class CredentialStateResponse {
  @ApiProperty() accountId!: number;
  @ApiProperty({ enum: CREDENTIAL_KINDS }) kind!: CredentialKind;
  @ApiProperty({ nullable: true, type: String, description: 'WeChat AppID (public).' })
  appId!: string | null;
  @ApiProperty({
    enum: CREDENTIAL_RESPONSE_STATES,
    description:
      'never = no credential was ever attached; expired = the platform rejected it or its expiry passed.',
  })
  state!: CredentialResponseState;
  @ApiProperty({ nullable: true, type: String, description: 'Encryption key version (v1, v2, …).' })
  keyVersion!: string | null;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) createdAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) rotatedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Platform error class of the last failure.',
  })
  lastErrorClass!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastCheckedAt!: string | null;
}

/** Metadata columns only: queries feeding this never select iv, ciphertext or tag. */
export interface CredentialRow {
  id: number;
  account_id: number;
  kind: CredentialKind;
  app_id: string | null;
  /** Stored state, with 'valid' past expires_at reported as 'expired'. */
  state: CredentialState;
  key_version: string | null;
  expires_at: Date | null;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  last_error_class: string | null;
  last_checked_at: Date | null;
}

export const SELECT_CREDENTIAL = `
  SELECT c.id, c.account_id, c.kind, c.app_id,
         CASE WHEN c.state = 'valid' AND c.expires_at <= now() THEN 'expired' ELSE c.state END AS state,
         c.key_version, c.expires_at, c.created_at, c.rotated_at, c.revoked_at,
         c.last_error_class, c.last_checked_at
  FROM platform_credentials c`;

export function toCredentialStateResponse(row: CredentialRow): CredentialStateResponse {
  return {
    accountId: row.account_id,
    kind: row.kind,
    appId: row.app_id,
    state: row.state,
    keyVersion: row.key_version,
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    rotatedAt: row.rotated_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastErrorClass: row.last_error_class,
    lastCheckedAt: row.last_checked_at?.toISOString() ?? null,
  };
}

export function neverAttached(accountId: number, kind: CredentialKind): CredentialStateResponse {
  return {
    accountId,
    kind,
    appId: null,
    state: 'never',
    keyVersion: null,
    expiresAt: null,
    createdAt: null,
    rotatedAt: null,
    revokedAt: null,
    lastErrorClass: null,
    lastCheckedAt: null,
  };
}
