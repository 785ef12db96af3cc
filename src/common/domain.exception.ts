import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `platform` or `tags.0`. */
  field: string;
  message: string;
}

/**
 * Base of every feature's exception: a stable machine code, the HTTP status it maps to and a
 * message that tells the caller what to do. The global filter renders it.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly status: HttpStatus,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export enum CommonErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_ERROR',
}

export class ValidationFailedException extends DomainException {
  constructor(
    errors: FieldError[],
    message = 'The request is invalid; see errors for each field.',
  ) {
    super(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, message, { errors });
  }
}
