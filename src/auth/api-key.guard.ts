import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.decorator';
import { ApiKeysService } from './api-keys.service';
import { AuthErrorCode, AuthException } from './auth.exception';
import type { AuthenticatedRequest } from './principal';
import { roleSatisfies } from './roles';

/**
 * Global, deny-by-default: a route must declare `@Public()` or `@RequireRole(...)`; anything else
 * is refused, so a forgotten decorator can never open a route.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!policy) {
      this.logger.error(
        `${context.getClass().name}.${context.getHandler().name} has no access policy; refused`,
      );
      throw new AuthException(AuthErrorCode.NoPolicy, 'This route has no access policy.');
    }
    if (policy.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.apiKeys.authenticate(extractKey(request));
    if (!roleSatisfies(principal.role, policy.role)) {
      throw new AuthException(
        AuthErrorCode.InsufficientRole,
        `This action needs the ${policy.role} role; the key has ${principal.role}.`,
      );
    }
    request.principal = principal;
    return true;
  }
}

function extractKey(request: AuthenticatedRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = request.headers.authorization;
  if (auth && /^bearer /i.test(auth)) return auth.slice(7).trim();
  return undefined;
}
