import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from './roles';

export const ACCESS_POLICY = Symbol('ACCESS_POLICY');

export type AccessPolicy = { kind: 'public' } | { kind: 'role'; role: Role };

/** Open to anyone, without a key (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);

/** Needs a valid key whose role is at least `role` (admin ⊇ analyst ⊇ viewer). */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, { kind: 'role', role } satisfies AccessPolicy),
    ApiSecurity('api-key'),
    ApiUnauthorizedResponse({ description: 'Missing, malformed, revoked or expired API key.' }),
    ApiForbiddenResponse({ description: `The key's role is below ${role}.` }),
  );
