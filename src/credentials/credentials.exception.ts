import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/domain.exception';

export enum CredentialsErrorCode {
  CredentialNotFound = 'CREDENTIAL_NOT_FOUND',
  AppIdTaken = 'CREDENTIAL_APP_ID_TAKEN',
  /** No usable (non-revoked) WeChat credential for an app id the token service was asked for. */
  NoWechatCredential = 'CREDENTIAL_NO_WECHAT_APP',
  /** Stored envelope cannot be decrypted: its key version was removed from CREDENTIALS_KEYS. */
  Undecryptable = 'CREDENTIAL_UNDECRYPTABLE',
}

const STATUS: Record<CredentialsErrorCode, HttpStatus> = {
  [CredentialsErrorCode.CredentialNotFound]: HttpStatus.NOT_FOUND,
  [CredentialsErrorCode.AppIdTaken]: HttpStatus.CONFLICT,
  [CredentialsErrorCode.NoWechatCredential]: HttpStatus.NOT_FOUND,
  [CredentialsErrorCode.Undecryptable]: HttpStatus.INTERNAL_SERVER_ERROR,
};

export class CredentialsException extends DomainException {
  declare readonly code: CredentialsErrorCode;

  constructor(code: CredentialsErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, STATUS[code], message, details);
  }
}
