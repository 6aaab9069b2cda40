import type {
  ExemptionGrantedData,
  ExemptionRevokedData,
  PortDeclaredData,
  VesselDesignatedData,
  VesselDesignationRevokedData,
} from '../events';
import {
  IsArrayOf,
  IsEventTime,
  IsImo,
  IsLocode,
  IsMmsi,
  IsNonEmptyString,
  IsNonEmptyStringEach,
  IsNotBefore,
  IsNumberWithin,
  IsOptionalField,
  ListLimits,
} from './field-rules';
import { ExemptionItemDto, ExemptionSiteDto } from './shared-data.dto';

export class ExemptionGrantedDataDto implements ExemptionGrantedData {
  @IsNonEmptyString()
  exemptionId!: string;

  @IsNonEmptyString()
  committeeRef!: string;

  @IsNonEmptyString()
  projectTitle!: string;

  @IsNonEmptyString()
  implementingOrg!: string;

  @IsEventTime()
  validFrom!: string;

  @IsEventTime()
  @IsNotBefore('validFrom')
  validUntil!: string;

  @IsArrayOf(() => ExemptionItemDto, { max: ListLimits.exemptionItems, nonEmpty: true })
  items!: ExemptionItemDto[];

  @IsArrayOf(() => ExemptionSiteDto, { max: ListLimits.sites })
  sites!: ExemptionSiteDto[];
}

export class ExemptionRevokedDataDto implements ExemptionRevokedData {
  @IsNonEmptyString()
  exemptionId!: string;

  @IsNonEmptyString()
  reason!: string;

  @IsEventTime()
  at!: string;
}

export class VesselDesignatedDataDto implements VesselDesignatedData {
  @IsNonEmptyString()
  listRef!: string;

  @IsNonEmptyString()
  name!: string;

  @IsOptionalField()
  @IsImo()
  imo?: string;

  @IsOptionalField()
  @IsMmsi()
  mmsi?: string;

  @IsOptionalField()
  @IsNonEmptyString()
  list?: string;

  @IsOptionalField()
  @IsNonEmptyString()
  reference?: string;

  @IsOptionalField()
  @IsNonEmptyString()
  program?: string;

  @IsOptionalField()
  @IsNonEmptyStringEach(ListLimits.aliases)
  aliases?: string[];

  @IsOptionalField()
  @IsNonEmptyString()
  owner?: string;

  @IsEventTime()
  at!: string;
}

export class VesselDesignationRevokedDataDto implements VesselDesignationRevokedData {
  @IsNonEmptyString()
  listRef!: string;

  @IsNonEmptyString()
  name!: string;

  @IsOptionalField()
  @IsImo()
  imo?: string;

  @IsOptionalField()
  @IsMmsi()
  mmsi?: string;

  @IsOptionalField()
  @IsNonEmptyString()
  list?: string;

  @IsOptionalField()
  @IsNonEmptyString()
  reference?: string;

  @IsNonEmptyString()
  reason!: string;

  @IsEventTime()
  at!: string;
}

export class PortDeclaredDataDto implements PortDeclaredData {
  @IsLocode()
  locode!: string;

  @IsNonEmptyString()
  name!: string;

  @IsNumberWithin(-90, 90)
  lat!: number;

  @IsNumberWithin(-180, 180)
  lon!: number;

  @IsNumberWithin(0)
  radiusKm!: number;
}
