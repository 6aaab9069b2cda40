import { EventTypes, type VesselPositionReported, type VesselStaticReported } from '@aidwatch/domain';
import { v5 as uuidv5 } from 'uuid';
import { isNmeaDecoded, isNmeaError, type NmeaDecoded, type NmeaResult } from './nmea.decoder';

/** Fixed for good: ids derived under it must stay the same so redelivered sentences stay idempotent. */
export const NmeaEventIdNamespace = 'b3c0f0a4-6a51-4d7e-9f0e-5c2d8a41e7b9';

export type VesselEvent = VesselPositionReported | VesselStaticReported;

export interface NmeaEventOptions {
  /** Receiving station used when the sentence names none; the event source is `nmea:<station>`. */
  station?: string;
}

/**
 * A contract CloudEvent for one decoded AIS message. The id is a UUID v5 of the kind, the time and the
 * sentences, so the same reception delivered twice yields the same id (and one type 19 message, which gives a
 * position and a static report, yields two distinct ids).
 */
export function nmeaToCloudEvent(result: NmeaDecoded, options: NmeaEventOptions = {}): VesselEvent {
  const station = result.meta.station ?? options.station ?? 'unknown';
  const id = uuidv5([result.kind, result.data.at, ...result.meta.sentences].join('\n'), NmeaEventIdNamespace);
  const envelope = {
    specversion: '1.0' as const,
    id,
    source: `nmea:${station}`,
    subject: result.data.mmsi,
    time: result.data.at,
    datacontenttype: 'application/json',
  };
  return result.kind === 'position'
    ? { ...envelope, type: EventTypes.VesselPositionReported, data: result.data }
    : { ...envelope, type: EventTypes.VesselStaticReported, data: result.data };
}

/** Events of the decoded results, errors set aside for the caller to count or dead-letter. */
export function nmeaResultsToCloudEvents(
  results: readonly NmeaResult[],
  options: NmeaEventOptions = {},
): { events: VesselEvent[]; errors: { error: string; line: string }[] } {
  const events: VesselEvent[] = [];
  const errors: { error: string; line: string }[] = [];
  for (const r of results) {
    if (isNmeaError(r)) errors.push(r);
    else if (isNmeaDecoded(r)) events.push(nmeaToCloudEvent(r, options));
  }
  return { events, errors };
}
