/**
 * The event types of the external contract (docs/contract.md), each in its current version: AidWatch writes
 * only these. Older versions it still reads are in `SupersededEventTypes`.
 */
export const EventTypes = {
  ExemptionGranted: 'aidwatch.exemption.granted.v1',
  ExemptionRevoked: 'aidwatch.exemption.revoked.v1',
  VesselDesignated: 'aidwatch.vessel.designated.v1',
  /** Contract 1.3: a designation ended (delisting). */
  VesselDesignationRevoked: 'aidwatch.vessel.designation-revoked.v1',
  PortDeclared: 'aidwatch.port.declared.v1',
  ConsignmentRegistered: 'aidwatch.consignment.registered.v1',
  ConsignmentLoaded: 'aidwatch.consignment.loaded.v1',
  ConsignmentDeparted: 'aidwatch.consignment.departed.v1',
  ConsignmentArrived: 'aidwatch.consignment.arrived.v1',
  ConsignmentDischarged: 'aidwatch.consignment.discharged.v1',
  CustodyTransferred: 'aidwatch.consignment.custody-transferred.v1',
  DeliveryRecorded: 'aidwatch.delivery.recorded.v1',
  VerificationReported: 'aidwatch.verification.reported.v1',
  AccessDenied: 'aidwatch.verification.access-denied.v1',
  VesselPositionReported: 'aidwatch.vessel.position.v1',
  VesselStaticReported: 'aidwatch.vessel.static.v1',
  /** Contract 1.4: a producer says one of its inputs (a CloudEvents `source`) has ended. */
  InputClosed: 'aidwatch.input.closed.v1',
  /** Contract 1.7: a producer announces that an input (a CloudEvents `source`) is bounded: its events end at a time. */
  InputBounded: 'aidwatch.input.bounded.v1',
  /** v2 (contract 1.2): a flag names no person (see `flagRaisedV1ToV2`). */
  FlagRaised: 'aidwatch.flag.raised.v2',
  FlagCleared: 'aidwatch.flag.cleared.v1',
} as const;

/**
 * Versions no longer written but still in stores: each is read as its successor through an upcaster
 * (upcasting/event-upcasters.ts); the stored bytes stay as they are.
 */
export const SupersededEventTypes = {
  /** Until contract 1.2; read as `aidwatch.flag.raised.v2`. */
  FlagRaisedV1: 'aidwatch.flag.raised.v1',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** Topics of the contract and the event types each one carries. */
export const Topics = {
  reference: 'aid.reference.v1',
  consignments: 'aid.consignments.v1',
  deliveries: 'aid.deliveries.v1',
  verifications: 'aid.verifications.v1',
  positions: 'ais.positions.v1',
  alerts: 'aidwatch.alerts.v1',
  deadLetters: 'aidwatch.dlq.v1',
} as const;
