import { HttpStatus, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LabelNames, AlertStatuses, MatcherLimits, MaxNoteLength } from '@aidwatch/alerts';
import { RuleIds, Severities } from '@aidwatch/domain';
import { ApiError, toPlainInteger } from '@aidwatch/runtime';

/**
 * Limits on every filter list (query and subscription alike), checked before anything is matched or
 * stored: at most 100 values per list, each at most 256 characters (the contract's identifier length).
 */
export const FilterLimits = { values: 100, valueLength: 256 } as const;

/**
 * Refuses a body whose `filters` hold a list over FilterLimits.values (400 naming the field) before the
 * validation pipe transforms and validates it element by element: a 50,000-value list is refused as
 * fast as a 101-value one. Put before the validation pipe (`@UsePipes(filterListLimit, …)`).
 */
export const filterListLimit: PipeTransform = {
  transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type !== 'body' || value === null || typeof value !== 'object') return value;
    const filters = (value as { filters?: unknown }).filters;
    if (filters === null || typeof filters !== 'object') return value;
    const problems = Object.entries(filters)
      .filter(([, list]) => Array.isArray(list) && list.length > FilterLimits.values)
      .map(([field, list]) => ({
        field: `filters.${field}`,
        message: `filters.${field} may hold at most ${FilterLimits.values} values (has ${(list as unknown[]).length})`,
      }));
    if (problems.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', problems);
    return value;
  },
};

/** `a,b` or repeated `?x=a&x=b` → ['a', 'b']. */
const list = () =>
  Transform(({ value }) =>
    value === undefined
      ? undefined
      : (Array.isArray(value) ? value : [value])
          .flatMap((v: string) => String(v).split(','))
          .map((v: string) => v.trim())
          .filter(Boolean)
          .slice(0, FilterLimits.values + 1),
  );

/** Filters shared by `GET /alerts`, `GET /alerts/stream` and webhook subscriptions (lists: comma-separated or repeated). */
export class AlertFilterQuery {
  @ApiPropertyOptional({ description: 'implementing organisation(s)', type: [String] })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsString({ each: true })
  organisation?: string[];

  @ApiPropertyOptional({
    description: 'exemption (project) id(s); `project` is accepted too',
    type: [String],
  })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsString({ each: true })
  exemptionId?: string[];

  @ApiPropertyOptional({ description: 'alias of exemptionId', type: [String] })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsString({ each: true })
  project?: string[];

  @ApiPropertyOptional({ enum: RuleIds, isArray: true })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsIn(RuleIds as readonly string[], { each: true })
  rule?: string[];

  @ApiPropertyOptional({ enum: Severities, isArray: true })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsIn(Severities, { each: true })
  severity?: string[];

  @ApiPropertyOptional({
    enum: AlertStatuses,
    isArray: true,
    description: 'the alert status after the event',
  })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsIn(AlertStatuses, { each: true })
  status?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @IsString({ each: true })
  consignmentId?: string[];

  @ApiPropertyOptional({
    description: 'MMSI(s) of the vessel an alert is about; `mmsi` is accepted too',
    type: [String],
  })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @Matches(/^\d{9}$/, { each: true, message: 'vessel must be 9-digit MMSIs' })
  vessel?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @list()
  @ArrayMaxSize(FilterLimits.values)
  @MaxLength(FilterLimits.valueLength, { each: true })
  @Matches(/^\d{9}$/, { each: true, message: 'mmsi must be 9 digits' })
  mmsi?: string[];

  @ApiPropertyOptional({ description: 'west,south,east,north (WGS84 degrees)', example: '124,37,131,43' })
  @IsOptional()
  @Matches(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/, { message: 'bbox is west,south,east,north in degrees' })
  bbox?: string;
}

export class AlertStreamQuery extends AlertFilterQuery {
  @ApiPropertyOptional({ description: 'resume after this position (as Last-Event-ID)' })
  @IsOptional()
  @IsString()
  after?: string;
}

export class AlertListQuery extends AlertFilterQuery {
  @ApiPropertyOptional({ default: 100, maximum: 10_000 })
  @IsOptional()
  @Transform(toPlainInteger)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 100;
}

export class AcknowledgeBody {
  @ApiPropertyOptional({ description: 'why, or what happens next' })
  @IsOptional()
  @IsString()
  @MaxLength(MaxNoteLength)
  note?: string;
}

export class ResolveBody {
  @ApiProperty({ description: 'why the alert is resolved (required)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxNoteLength)
  note!: string;
}

export class AssignBody {
  @ApiProperty({ description: 'who is to handle it (a person or team id)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  assignee!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MaxNoteLength)
  note?: string;
}

export class CommentBody {
  @ApiProperty({
    description: 'the comment added to the alert history',
    example: 'partner confirmed the cargo was transhipped at Nampo; visit scheduled',
    maxLength: MaxNoteLength,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxNoteLength)
  comment!: string;
}

export class MatcherBody {
  @ApiProperty({ enum: LabelNames })
  @IsIn(LabelNames)
  name!: string;

  @ApiProperty({ maxLength: MatcherLimits.valueLength })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MatcherLimits.valueLength)
  value!: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  isRegex?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  isEqual?: boolean;
}

export class SilenceBody {
  @ApiProperty({ type: [MatcherBody] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MatcherBody)
  matchers!: MatcherBody[];

  @ApiPropertyOptional({ description: 'RFC 3339; defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiProperty({ description: 'RFC 3339: when the silence expires' })
  @IsISO8601({ strict: true })
  endsAt!: string;

  @ApiProperty({ description: 'why' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxNoteLength)
  comment!: string;
}
