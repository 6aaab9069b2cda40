import type { FlagSubject } from './flag';

/** One stream per consignment, exemption, vessel; reference lists get a stream per entry. */
export const StreamNames = {
  consignment: (id: string) => `consignment-${id}`,
  exemption: (id: string) => `exemption-${id}`,
  vessel: (mmsi: string) => `vessel-${mmsi}`,
  port: (locode: string) => `port-${locode}`,
  designation: (key: string) => `designation-${key}`,
  input: (source: string) => `input-${source}`,
  risk: (subject: FlagSubject) => `risk-${subject.kind}-${subject.id}`,
} as const;
