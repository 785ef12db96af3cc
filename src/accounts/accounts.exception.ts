import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/domain.exception';

export enum AccountsErrorCode {
  AccountNotFound = 'ACCOUNT_NOT_FOUND',
  OrganizationNotFound = 'ORGANIZATION_NOT_FOUND',
  PlatformIdTaken = 'PLATFORM_ID_TAKEN',
  OrganizationExists = 'ORGANIZATION_EXISTS',
  OrganizationHasOpenAccounts = 'ORGANIZATION_HAS_OPEN_ACCOUNTS',
  AlreadyClosed = 'ALREADY_CLOSED',
  OutOfScope = 'OUT_OF_REGION_SCOPE',
  ImportInvalid = 'IMPORT_INVALID',
  ImportUnreadable = 'IMPORT_UNREADABLE',
  ImportTooLarge = 'IMPORT_TOO_LARGE',
}

const STATUS: Record<AccountsErrorCode, HttpStatus> = {
  [AccountsErrorCode.AccountNotFound]: HttpStatus.NOT_FOUND,
  [AccountsErrorCode.OrganizationNotFound]: HttpStatus.NOT_FOUND,
  [AccountsErrorCode.PlatformIdTaken]: HttpStatus.CONFLICT,
  [AccountsErrorCode.OrganizationExists]: HttpStatus.CONFLICT,
  [AccountsErrorCode.OrganizationHasOpenAccounts]: HttpStatus.CONFLICT,
  [AccountsErrorCode.AlreadyClosed]: HttpStatus.CONFLICT,
  [AccountsErrorCode.OutOfScope]: HttpStatus.FORBIDDEN,
  [AccountsErrorCode.ImportInvalid]: HttpStatus.BAD_REQUEST,
  [AccountsErrorCode.ImportUnreadable]: HttpStatus.BAD_REQUEST,
  [AccountsErrorCode.ImportTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
};

export class AccountsException extends DomainException {
  declare readonly code: AccountsErrorCode;

  constructor(code: AccountsErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, STATUS[code], message, details);
  }
}
