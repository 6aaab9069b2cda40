import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Severities } from '@aidwatch/domain';

export const ruleIds = [
  'quantity-shrinkage',
  'verification-overdue',
  'access-denied',
  'undeclared-location',
  'item-not-exempt',
  'over-authorisation',
  'outside-validity',
  'duplicate-document',
  'broken-custody',
  'monitor-finding',
  'ais-gap',
  'encounter',
  'loitering',
  'draught-change',
  'identity-change',
  'designated-vessel',
  'route-deviation',
];

export class FlagsQuery {
  @IsOptional()
  @IsIn(ruleIds)
  rule?: string;

  @IsOptional()
  @IsIn(Severities)
  severity?: string;

  @IsOptional()
  @IsIn(['open', 'cleared'])
  status?: 'open' | 'cleared';

  @IsOptional()
  @IsString()
  consignmentId?: string;

  @IsOptional()
  @Matches(/^\d{9}$/, { message: 'mmsi must be 9 digits' })
  mmsi?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 100;

  @IsOptional()
  @IsString()
  after?: string;
}

export class AlertStreamQuery {
  @IsOptional()
  @IsString()
  after?: string;

  @IsOptional()
  @IsIn(ruleIds)
  rule?: string;

  @IsOptional()
  @IsIn(Severities)
  severity?: string;

  @IsOptional()
  @IsString()
  consignmentId?: string;
}

export class ConsignmentsQuery {
  @IsOptional()
  @IsIn(['none', ...Severities])
  risk?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 100;
}

export class StreamQuery {
  @IsOptional()
  @IsIn(['forwards', 'backwards'])
  direction?: 'forwards' | 'backwards';

  @IsOptional()
  @IsNumberString({ no_symbols: true })
  from?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 1000;
}
