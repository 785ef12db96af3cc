import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/domain.exception';

export enum AuthErrorCode {
  MissingKey = 'AUTH_MISSING_KEY',
  InvalidKey = 'AUTH_INVALID_KEY',
  RevokedKey = 'AUTH_REVOKED_KEY',
  ExpiredKey = 'AUTH_EXPIRED_KEY',
  InsufficientRole = 'AUTH_INSUFFICIENT_ROLE',
  NoPolicy = 'AUTH_NO_POLICY',
  OutOfScope = 'AUTH_OUT_OF_SCOPE',
  KeyNotFound = 'API_KEY_NOT_FOUND',
  LastAdminKey = 'API_KEY_LAST_ADMIN',
}

const STATUS: Record<AuthErrorCode, HttpStatus> = {
  [AuthErrorCode.MissingKey]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.InvalidKey]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.RevokedKey]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.ExpiredKey]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.InsufficientRole]: HttpStatus.FORBIDDEN,
  [AuthErrorCode.NoPolicy]: HttpStatus.FORBIDDEN,
  [AuthErrorCode.OutOfScope]: HttpStatus.FORBIDDEN,
  [AuthErrorCode.KeyNotFound]: HttpStatus.NOT_FOUND,
  [AuthErrorCode.LastAdminKey]: HttpStatus.CONFLICT,
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
