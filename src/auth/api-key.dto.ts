import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { ApiKey } from './api-key.entity';
import { ROLES, type Role } from './roles';

export class CreateApiKeyDto {
  @ApiProperty({ description: 'Who or what uses the key, e.g. "四川省网信办 weekly report".' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: ROLES, description: 'admin ⊇ analyst ⊇ viewer.' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({
    description: 'Confine the key to this GB/T 2260 region and its subtree (e.g. 510000 四川).',
    example: '510000',
  })
  @IsOptional()
  @Matches(/^[0-9]{6}$/, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant after which the key stops working.' })
  @IsOptional()
  @IsDateString({ strict: true })
  expiresAt?: string;
}

export class ApiKeyResponse {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'Public part of the key (gmm_<keyId>_…).' }) keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String }) regionCode!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The whole key. Shown once; only its hash is stored.' })
  apiKey!: string;
}

export function toApiKeyResponse(key: ApiKey): ApiKeyResponse {
  return {
    id: key.id,
    keyId: key.keyId,
    name: key.name,
    role: key.role,
    regionCode: key.regionCode,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}
