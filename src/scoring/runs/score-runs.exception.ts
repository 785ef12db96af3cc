import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/domain.exception';

export enum ScoreRunsErrorCode {
  RunNotFound = 'SCORE_RUN_NOT_FOUND',
  OutOfScope = 'SCORE_RUN_OUT_OF_SCOPE',
}

const STATUS: Record<ScoreRunsErrorCode, HttpStatus> = {
  [ScoreRunsErrorCode.RunNotFound]: HttpStatus.NOT_FOUND,
  [ScoreRunsErrorCode.OutOfScope]: HttpStatus.FORBIDDEN,
};

export class ScoreRunsException extends DomainException {
  constructor(code: ScoreRunsErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
