import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { RuleIds, Severities } from '@aidwatch/domain';

const ruleIds = RuleIds as readonly string[];

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
