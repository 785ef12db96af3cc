import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

export class ImportQuery {
  @ApiPropertyOptional({ default: false, description: 'Validate only; apply nothing.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun: boolean = false;

  @ApiPropertyOptional({
    enum: ['csv', 'json'],
    description: 'Overrides the format taken from Content-Type or the uploaded file name.',
  })
  @IsOptional()
  @IsIn(['csv', 'json'])
  format?: 'csv' | 'json';
}

export class ImportResultResponse {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ description: 'Rows in the file' }) rows!: number;
  @ApiProperty({ description: 'New accounts (would be created, for a dry run)' }) created!: number;
  @ApiProperty({ description: 'Existing accounts changed (matched by any platform id)' })
  updated!: number;
  @ApiProperty({ description: 'Existing accounts the file leaves as they are' }) unchanged!: number;
  @ApiProperty() organizationsCreated!: number;
}

export class ImportRowErrorResponse {
  @ApiProperty({ description: 'Spreadsheet row for CSV (header = 1); 1-based item for JSON' })
  row!: number;
  @ApiProperty({ example: 'wechatAppId' }) column!: string;
  @ApiProperty() message!: string;
}

export class ImportErrorResponse {
  @ApiProperty({ example: 'IMPORT_INVALID' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: [ImportRowErrorResponse] }) errors!: ImportRowErrorResponse[];
}
