import { IsIn } from 'class-validator';
import {
  VerificationFindings,
  type AccessDeniedData,
  type DeliveryRecordedData,
  type VerificationFinding,
  type VerificationReportedData,
} from '../events';
import {
  IsArrayOf,
  IsEventTime,
  IsIntegerWithin,
  IsNonEmptyString,
  IsNumberWithin,
  IsOptionalField,
  IsSha256Hex,
  IsSha256HexEach,
  ListLimits,
} from './field-rules';
import { ItemQuantityDto } from './shared-data.dto';

export class DeliveryRecordedDataDto implements DeliveryRecordedData {
  @IsNonEmptyString()
  deliveryId!: string;

  @IsNonEmptyString()
  consignmentId!: string;

  @IsNonEmptyString()
  siteId!: string;

  @IsNumberWithin(-90, 90)
  lat!: number;

  @IsNumberWithin(-180, 180)
  lon!: number;

  @IsArrayOf(() => ItemQuantityDto, { max: ListLimits.items })
  items!: ItemQuantityDto[];

  @IsNonEmptyString()
  receivedBy!: string;

  @IsSha256Hex()
  documentHash!: string;

  @IsEventTime()
  at!: string;
}

export class VerificationReportedDataDto implements VerificationReportedData {
  @IsNonEmptyString()
  verificationId!: string;

  @IsNonEmptyString()
  consignmentId!: string;

  @IsNonEmptyString()
  siteId!: string;

  @IsNonEmptyString()
  monitorId!: string;

  @IsNumberWithin(-90, 90)
  lat!: number;

  @IsNumberWithin(-180, 180)
  lon!: number;

  @IsArrayOf(() => ItemQuantityDto, { max: ListLimits.items })
  observed!: ItemQuantityDto[];

  @IsOptionalField()
  @IsIntegerWithin(0, Number.MAX_SAFE_INTEGER)
  beneficiaries?: number;

  @IsIn(VerificationFindings as VerificationFinding[], {
    message: `finding must be one of: ${VerificationFindings.join(', ')}`,
  })
  finding!: VerificationFinding;

  @IsOptionalField()
  @IsSha256HexEach(ListLimits.evidence)
  evidence?: string[];

  @IsEventTime()
  at!: string;
}

export class AccessDeniedDataDto implements AccessDeniedData {
  @IsNonEmptyString()
  consignmentId!: string;

  @IsNonEmptyString()
  siteId!: string;

  @IsNonEmptyString()
  monitorId!: string;

  @IsNonEmptyString()
  reason!: string;

  @IsEventTime()
  at!: string;
}
