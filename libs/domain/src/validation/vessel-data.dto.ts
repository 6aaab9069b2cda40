import { IsString } from 'class-validator';
import type { VesselPositionData, VesselStaticData } from '../events';
import {
  IsAisHeading,
  IsEventTime,
  IsImo,
  IsIntegerWithin,
  IsMmsi,
  IsNumberWithin,
  IsOptionalField,
} from './field-rules';

// AIS encodes "not available" as 102.3 kn and 360°; 102.2 means "102.2 kn or more".
const MAX_SOG_KNOTS = 102.2;
// AIS static draught is in 0.1 m steps up to 25.5 m.
const MAX_DRAUGHT_M = 25.5;

export class VesselPositionDataDto implements VesselPositionData {
  @IsMmsi()
  mmsi!: string;

  @IsNumberWithin(-90, 90)
  lat!: number;

  @IsNumberWithin(-180, 180)
  lon!: number;

  @IsOptionalField()
  @IsNumberWithin(0, MAX_SOG_KNOTS)
  sog?: number;

  @IsOptionalField()
  @IsNumberWithin(0, 360)
  cog?: number;

  @IsOptionalField()
  @IsAisHeading()
  heading?: number;

  @IsOptionalField()
  @IsIntegerWithin(0, 15)
  navStatus?: number;

  @IsEventTime()
  at!: string;
}

export class VesselStaticDataDto implements VesselStaticData {
  @IsMmsi()
  mmsi!: string;

  @IsOptionalField()
  @IsImo()
  imo?: string;

  @IsOptionalField()
  @IsString()
  name?: string;

  @IsOptionalField()
  @IsString()
  callsign?: string;

  @IsOptionalField()
  @IsString()
  flag?: string;

  @IsOptionalField()
  @IsIntegerWithin(0, 255)
  shipType?: number;

  @IsOptionalField()
  @IsNumberWithin(0, MAX_DRAUGHT_M)
  draught?: number;

  @IsOptionalField()
  @IsString()
  destination?: string;

  @IsEventTime()
  at!: string;
}
