import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/domain.exception';

export enum LeaderboardsErrorCode {
  ScoreRunNotFound = 'SCORE_RUN_NOT_FOUND',
}

const STATUS: Record<LeaderboardsErrorCode, HttpStatus> = {
  [LeaderboardsErrorCode.ScoreRunNotFound]: HttpStatus.NOT_FOUND,
};

/** Errors of the read side of scoring (leaderboards, maturity matrix, distributions). */
export class LeaderboardsException extends DomainException {
  declare readonly code: LeaderboardsErrorCode;

  constructor(code: LeaderboardsErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, STATUS[code], message, details);
  }
}
