import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
  ArrayMinSize,
  ArrayMaxSize as MaxItems,
} from 'class-validator';
import { AlertStatuses } from '@aidwatch/alerts';
import { RuleIds, Severities } from '@aidwatch/domain';
import { FilterLimits } from '../alerts/alert.dto';

export class SubscriptionFilters {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @IsString({ each: true })
  @MaxLength(FilterLimits.valueLength, { each: true })
  organisation?: string[];
  @ApiPropertyOptional({ type: [String], description: 'exemption (project) ids' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @IsString({ each: true })
  @MaxLength(FilterLimits.valueLength, { each: true })
  exemptionId?: string[];
  @ApiPropertyOptional({ enum: RuleIds, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @IsIn(RuleIds as readonly string[], { each: true })
  rule?: string[];
  @ApiPropertyOptional({ enum: Severities, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @IsIn(Severities, { each: true })
  severity?: string[];
  @ApiPropertyOptional({ enum: AlertStatuses, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @IsIn(AlertStatuses, { each: true })
  status?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @IsString({ each: true })
  @MaxLength(FilterLimits.valueLength, { each: true })
  consignmentId?: string[];
  @ApiPropertyOptional({ type: [String], description: 'MMSIs' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FilterLimits.values)
  @Matches(/^\d{9}$/, { each: true, message: 'vessel must be 9-digit MMSIs' })
  vessel?: string[];
  @ApiPropertyOptional({ type: [Number], description: '[west, south, east, north] in WGS84 degrees' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(4)
  @MaxItems(4)
  @IsNumber({}, { each: true })
  bbox?: number[];
  @ApiPropertyOptional({
    type: [String],
    description: 'CloudEvents types to deliver (all alert types when absent)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(FilterLimits.valueLength, { each: true })
  types?: string[];
}

export class SubscriptionBody {
  @ApiProperty({ example: 'https://dashboard.example.org/hooks/aidwatch' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @ApiPropertyOptional({
    description: 'Standard Webhooks secret `whsec_<base64>`; generated (and returned once) when absent',
  })
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, {
    message: 'secret must be whsec_ followed by at least 16 base64 characters',
  })
  secret?: string;

  @ApiPropertyOptional({ type: SubscriptionFilters })
  @IsOptional()
  @ValidateNested()
  @Type(() => SubscriptionFilters)
  filters?: SubscriptionFilters;
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'dead'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'dead'])
  status?: 'pending' | 'delivered' | 'dead';
}

export class ReplayBody {
  @ApiPropertyOptional({
    type: [String],
    description: 'dead deliveries to replay; all dead ones when absent',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  deliveryIds?: string[];
}
