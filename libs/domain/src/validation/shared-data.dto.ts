import type { ExemptionItem, ExemptionSite, ItemQuantity, LatLon } from '../events';
import {
  IsHsCode,
  IsImo,
  IsMmsi,
  IsNonEmptyString,
  IsNumberWithin,
  IsOptionalField,
  MAX_QUANTITY,
} from './field-rules';

export class ItemQuantityDto implements ItemQuantity {
  @IsNonEmptyString()
  itemCode!: string;

  @IsNumberWithin(0, MAX_QUANTITY)
  quantity!: number;
}

export class ItemQuantityWithUnitDto implements ItemQuantity {
  @IsNonEmptyString()
  itemCode!: string;

  @IsNumberWithin(0, MAX_QUANTITY)
  quantity!: number;

  @IsNonEmptyString()
  unit!: string;
}

export class ExemptionItemDto implements ExemptionItem {
  @IsNonEmptyString()
  itemCode!: string;

  @IsOptionalField()
  @IsHsCode()
  hsCode?: string;

  @IsNonEmptyString()
  description!: string;

  @IsNumberWithin(0, MAX_QUANTITY)
  quantity!: number;

  @IsNonEmptyString()
  unit!: string;
}

export class LatLonDto implements LatLon {
  @IsNumberWithin(-90, 90)
  lat!: number;

  @IsNumberWithin(-180, 180)
  lon!: number;
}

export class ExemptionSiteDto implements ExemptionSite {
  @IsNonEmptyString()
  siteId!: string;

  @IsNonEmptyString()
  name!: string;

  @IsNumberWithin(-90, 90)
  lat!: number;

  @IsNumberWithin(-180, 180)
  lon!: number;

  @IsNumberWithin(0, MAX_QUANTITY)
  radiusKm!: number;
}

export class VesselRefDto {
  @IsMmsi()
  mmsi!: string;

  @IsOptionalField()
  @IsImo()
  imo?: string;

  @IsOptionalField()
  @IsNonEmptyString()
  name?: string;
}
