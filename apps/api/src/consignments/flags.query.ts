import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ConsignmentStatuses } from '@aidwatch/detection';
import { IsEventTime, RuleIds, Severities } from '@aidwatch/domain';
import { PLAIN_DECIMAL, toPlainInteger } from '@aidwatch/runtime';

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
  @Transform(toPlainInteger)
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

  /** A lifecycle state: `unregistered` lists consignments with events but no registration (operators only). */
  @IsOptional()
  @IsIn(ConsignmentStatuses)
  status?: string;

  /** Consignments shipped under this exemption. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  exemptionId?: string;

  /** Consignments registered on this vessel. */
  @IsOptional()
  @Matches(/^\d{9}$/, { message: 'mmsi must be 9 digits' })
  mmsi?: string;

  /**
   * Free text, case-insensitive: matches the consignment id, exemption id, vessel name or MMSI, origin or
   * destination port.
   */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @Transform(toPlainInteger)
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
  @Matches(PLAIN_DECIMAL, { message: 'from must be a revision: plain decimal digits (at most 15)' })
  from?: string;

  @IsOptional()
  @Transform(toPlainInteger)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 1000;
}

export class ConsignmentQuery {
  /** The state as AidWatch knew it then: events recorded at or before this RFC 3339 time (with a zone). */
  @IsOptional()
  @IsEventTime()
  asOf?: string;
}

export class TimelineQuery {
  /** A position from `next`: the page after it. */
  @IsOptional()
  @IsString()
  @Matches(/^\d+(\/\d+)?$/, { message: 'after must be a position from a previous page' })
  after?: string;

  /** A position from `previous`: the page before it. */
  @IsOptional()
  @IsString()
  @Matches(/^\d+(\/\d+)?$/, { message: 'before must be a position from a previous page' })
  before?: string;

  @IsOptional()
  @Transform(toPlainInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}
