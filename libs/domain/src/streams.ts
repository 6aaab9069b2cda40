import type { AidEvent } from './events';
import { EventTypes } from './event-types';
import type { FlagSubject } from './flag';

/** One stream per consignment, exemption, vessel; reference lists get a stream per entry. */
export const StreamNames = {
  consignment: (id: string) => `consignment-${id}`,
  exemption: (id: string) => `exemption-${id}`,
  vessel: (mmsi: string) => `vessel-${mmsi}`,
  port: (locode: string) => `port-${locode}`,
  designation: (key: string) => `designation-${key}`,
  risk: (subject: FlagSubject) => `risk-${subject.kind}-${subject.id}`,
} as const;

/** The stream an inbound event belongs to. */
export function streamOf(event: AidEvent): string {
  switch (event.type) {
    case EventTypes.ExemptionGranted:
    case EventTypes.ExemptionRevoked:
      return StreamNames.exemption(event.data.exemptionId);
    case EventTypes.VesselDesignated:
      return StreamNames.designation(event.data.imo ?? event.data.mmsi ?? event.data.name);
    case EventTypes.PortDeclared:
      return StreamNames.port(event.data.locode);
    case EventTypes.VesselPositionReported:
    case EventTypes.VesselStaticReported:
      return StreamNames.vessel(event.data.mmsi);
    default:
      return StreamNames.consignment(event.data.consignmentId);
  }
}
