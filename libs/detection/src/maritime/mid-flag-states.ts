import { midFlagStates, midOfMmsi } from '@aidwatch/domain';

/** The MID → flag-state table the identity rule checks against (configurable; the domain's by default). */
export const defaultMidFlagStates: Record<string, string> = { ...midFlagStates };

export const flagStateOfMmsi = (mmsi: string, table: Record<string, string>): string | undefined => {
  const mid = midOfMmsi(mmsi);
  return mid === undefined ? undefined : table[mid];
};
