import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from './roles';

/** The caller, as established by the API key guard. */
export interface Principal {
  apiKeyId: number;
  name: string;
  role: Role;
  /** GB/T 2260 code the key is confined to (its subtree), or null for all regions. */
  regionCode: string | null;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without an authenticated key');
  return principal;
});

/** Actor fields for audit rows. */
export interface Actor {
  apiKeyId: number | null;
  name: string;
  correlationId: string | null;
}

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  const p = request.principal;
  return {
    apiKeyId: p?.apiKeyId ?? null,
    name: p ? `key:${p.name}` : 'anonymous',
    correlationId: request.id,
  };
});
