import type {
  ConsignmentDepartedData,
  ConsignmentDischargedData,
  ConsignmentLoadedData,
  ConsignmentRegisteredData,
  CustodyTransferredData,
} from '../events';
import {
  IsArrayOf,
  IsEventTime,
  IsLocode,
  IsMmsi,
  IsNestedObject,
  IsNonEmptyString,
  IsOptionalField,
  IsSha256Hex,
  ListLimits,
} from './field-rules';
import { ItemQuantityDto, ItemQuantityWithUnitDto, LatLonDto, VesselRefDto } from './shared-data.dto';

export class ConsignmentRegisteredDataDto implements ConsignmentRegisteredData {
  @IsNonEmptyString()
  consignmentId!: string;

  @IsNonEmptyString()
  exemptionId!: string;

  @IsNonEmptyString()
  billOfLading!: string;

  @IsArrayOf(() => ItemQuantityWithUnitDto, { max: ListLimits.items, nonEmpty: true })
  items!: ItemQuantityWithUnitDto[];

  @IsLocode()
  originPort!: string;

  @IsLocode()
  destinationPort!: string;

  @IsNestedObject(() => VesselRefDto)
  vessel!: VesselRefDto;

  @IsOptionalField()
  @IsArrayOf(() => LatLonDto, { max: ListLimits.routePoints })
  route?: LatLonDto[];
}

/** Departure and arrival carry the same fields. */
export class ConsignmentPortCallDataDto implements ConsignmentDepartedData {
  @IsNonEmptyString()
  consignmentId!: string;

  @IsLocode()
  port!: string;

  @IsEventTime()
  at!: string;
}

export class ConsignmentLoadedDataDto implements ConsignmentLoadedData {
  @IsNonEmptyString()
  consignmentId!: string;

  @IsLocode()
  port!: string;

  @IsMmsi()
  vesselMmsi!: string;

  @IsArrayOf(() => ItemQuantityDto, { max: ListLimits.items })
  items!: ItemQuantityDto[];

  @IsEventTime()
  at!: string;
}

export class ConsignmentDischargedDataDto implements ConsignmentDischargedData {
  @IsNonEmptyString()
  consignmentId!: string;

  @IsLocode()
  port!: string;

  @IsArrayOf(() => ItemQuantityDto, { max: ListLimits.items })
  items!: ItemQuantityDto[];

  @IsEventTime()
  at!: string;
}

export class CustodyTransferredDataDto implements CustodyTransferredData {
  @IsNonEmptyString()
  consignmentId!: string;

  @IsNonEmptyString()
  from!: string;

  @IsNonEmptyString()
  to!: string;

  @IsArrayOf(() => ItemQuantityDto, { max: ListLimits.items })
  items!: ItemQuantityDto[];

  @IsSha256Hex()
  documentHash!: string;

  @IsEventTime()
  at!: string;
}
