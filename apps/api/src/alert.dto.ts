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
import { LabelNames, AlertStatuses } from '@aidwatch/alerts';
import { RuleIds, Severities } from '@aidwatch/domain';

/** `a,b` or repeated `?x=a&x=b` → ['a', 'b']. */
const list = () =>
  Transform(({ value }) =>
    value === undefined
      ? undefined
      : (Array.isArray(value) ? value : [value])
          .flatMap((v: string) => String(v).split(','))
          .map((v: string) => v.trim())
          .filter(Boolean),
  );

/** Filters shared by `GET /alerts`, `GET /alerts/stream` and webhook subscriptions (lists: comma-separated or repeated). */
export class AlertFilterQuery {
  @ApiPropertyOptional({ description: 'implementing organisation(s)', type: [String] })
  @IsOptional()
  @list()
  @IsString({ each: true })
  organisation?: string[];

  @ApiPropertyOptional({
    description: 'exemption (project) id(s); `project` is accepted too',
    type: [String],
  })
  @IsOptional()
  @list()
  @IsString({ each: true })
  exemptionId?: string[];

  @ApiPropertyOptional({ description: 'alias of exemptionId', type: [String] })
  @IsOptional()
  @list()
  @IsString({ each: true })
  project?: string[];

  @ApiPropertyOptional({ enum: RuleIds, isArray: true })
  @IsOptional()
  @list()
  @IsIn(RuleIds as readonly string[], { each: true })
  rule?: string[];

  @ApiPropertyOptional({ enum: Severities, isArray: true })
  @IsOptional()
  @list()
  @IsIn(Severities, { each: true })
  severity?: string[];

  @ApiPropertyOptional({
    enum: AlertStatuses,
    isArray: true,
    description: 'the alert status after the event',
  })
  @IsOptional()
  @list()
  @IsIn(AlertStatuses, { each: true })
  status?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @list()
  @IsString({ each: true })
  consignmentId?: string[];

  @ApiPropertyOptional({
    description: 'MMSI(s) of the vessel an alert is about; `mmsi` is accepted too',
    type: [String],
  })
  @IsOptional()
  @list()
  @Matches(/^\d{9}$/, { each: true, message: 'vessel must be 9-digit MMSIs' })
  vessel?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @list()
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
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 100;
}

export class AcknowledgeBody {
  @ApiPropertyOptional({ description: 'why, or what happens next' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ResolveBody {
  @ApiProperty({ description: 'why the alert is resolved (required)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
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
  @MaxLength(2000)
  note?: string;
}

export class CommentBody {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  comment!: string;
}

export class MatcherBody {
  @ApiProperty({ enum: LabelNames })
  @IsIn(LabelNames)
  name!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
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
  @MaxLength(2000)
  comment!: string;
}
