/** The v1 event catalogue of the external contract (docs/contract.md). */
export const EventTypes = {
  ExemptionGranted: 'aidwatch.exemption.granted.v1',
  ExemptionRevoked: 'aidwatch.exemption.revoked.v1',
  VesselDesignated: 'aidwatch.vessel.designated.v1',
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
  FlagRaised: 'aidwatch.flag.raised.v1',
  FlagCleared: 'aidwatch.flag.cleared.v1',
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
