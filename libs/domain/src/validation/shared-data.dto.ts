import type { ExemptionItem, ExemptionSite, ItemQuantity, LatLon } from '../events';
import { IsHsCode, IsImo, IsMmsi, IsNonEmptyString, IsNumberWithin, IsOptionalField } from './field-rules';

export class ItemQuantityDto implements ItemQuantity {
  @IsNonEmptyString()
  itemCode!: string;

  @IsNumberWithin(0)
  quantity!: number;
}

export class ItemQuantityWithUnitDto implements ItemQuantity {
  @IsNonEmptyString()
  itemCode!: string;

  @IsNumberWithin(0)
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

  @IsNumberWithin(0)
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

  @IsNumberWithin(0)
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
