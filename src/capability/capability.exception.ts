import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/domain.exception';

export enum CapabilityErrorCode {
  EditionNotFound = 'EDITION_NOT_FOUND',
  EditionCodeTaken = 'EDITION_CODE_TAKEN',
  TreeInvalid = 'INDICATOR_TREE_INVALID',
  TreeVersionNotFound = 'TREE_VERSION_NOT_FOUND',
  RegionNotFound = 'REGION_NOT_FOUND',
  RegionNotOpened = 'REGION_NOT_OPENED',
  AssessmentNotFound = 'ASSESSMENT_NOT_FOUND',
  ResultsNotComputed = 'RESULTS_NOT_COMPUTED',
  FigureNotFound = 'FIGURE_NOT_FOUND',
  OutOfScope = 'OUT_OF_REGION_SCOPE',
}

const STATUS: Record<CapabilityErrorCode, HttpStatus> = {
  [CapabilityErrorCode.EditionNotFound]: HttpStatus.NOT_FOUND,
  [CapabilityErrorCode.EditionCodeTaken]: HttpStatus.CONFLICT,
  [CapabilityErrorCode.TreeInvalid]: HttpStatus.BAD_REQUEST,
  [CapabilityErrorCode.TreeVersionNotFound]: HttpStatus.NOT_FOUND,
  [CapabilityErrorCode.RegionNotFound]: HttpStatus.NOT_FOUND,
  [CapabilityErrorCode.RegionNotOpened]: HttpStatus.CONFLICT,
  [CapabilityErrorCode.AssessmentNotFound]: HttpStatus.NOT_FOUND,
  [CapabilityErrorCode.ResultsNotComputed]: HttpStatus.CONFLICT,
  [CapabilityErrorCode.FigureNotFound]: HttpStatus.NOT_FOUND,
  [CapabilityErrorCode.OutOfScope]: HttpStatus.FORBIDDEN,
};

/** Errors of editions, trees, cohorts, assessments and index results. */
export class CapabilityException extends DomainException {
  declare readonly code: CapabilityErrorCode;

  constructor(code: CapabilityErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, STATUS[code], message, details);
  }
}

export function editionNotFound(id: number): CapabilityException {
  return new CapabilityException(CapabilityErrorCode.EditionNotFound, `No edition ${id}.`);
}

export function nationalOnly(action: string): CapabilityException {
  return new CapabilityException(
    CapabilityErrorCode.OutOfScope,
    `${action} changes a national edition; use a key without a region scope.`,
  );
}
