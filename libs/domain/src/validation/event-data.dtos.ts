import { EventTypes } from '../event-types';
import type { AidEvent } from '../events';
import {
  ConsignmentDischargedDataDto,
  ConsignmentLoadedDataDto,
  ConsignmentPortCallDataDto,
  ConsignmentRegisteredDataDto,
  CustodyTransferredDataDto,
} from './consignment-data.dto';
import {
  AccessDeniedDataDto,
  DeliveryRecordedDataDto,
  VerificationReportedDataDto,
} from './field-report-data.dto';
import {
  ExemptionGrantedDataDto,
  ExemptionRevokedDataDto,
  PortDeclaredDataDto,
  VesselDesignatedDataDto,
} from './reference-data.dto';
import { VesselPositionDataDto, VesselStaticDataDto } from './vessel-data.dto';

export type InboundEventType = AidEvent['type'];
export type EventDataOf<T extends InboundEventType> = Extract<AidEvent, { type: T }>['data'];

/** The DTO that validates `data` for each inbound type; a type missing here does not compile. */
export const EventDataDtos: { readonly [T in InboundEventType]: new () => EventDataOf<T> } = {
  [EventTypes.ExemptionGranted]: ExemptionGrantedDataDto,
  [EventTypes.ExemptionRevoked]: ExemptionRevokedDataDto,
  [EventTypes.VesselDesignated]: VesselDesignatedDataDto,
  [EventTypes.PortDeclared]: PortDeclaredDataDto,
  [EventTypes.ConsignmentRegistered]: ConsignmentRegisteredDataDto,
  [EventTypes.ConsignmentLoaded]: ConsignmentLoadedDataDto,
  [EventTypes.ConsignmentDeparted]: ConsignmentPortCallDataDto,
  [EventTypes.ConsignmentArrived]: ConsignmentPortCallDataDto,
  [EventTypes.ConsignmentDischarged]: ConsignmentDischargedDataDto,
  [EventTypes.CustodyTransferred]: CustodyTransferredDataDto,
  [EventTypes.DeliveryRecorded]: DeliveryRecordedDataDto,
  [EventTypes.VerificationReported]: VerificationReportedDataDto,
  [EventTypes.AccessDenied]: AccessDeniedDataDto,
  [EventTypes.VesselPositionReported]: VesselPositionDataDto,
  [EventTypes.VesselStaticReported]: VesselStaticDataDto,
};

export const InboundEventTypes = Object.keys(EventDataDtos) as InboundEventType[];

export function isInboundEventType(type: unknown): type is InboundEventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(EventDataDtos, type);
}
