import { validateCloudEvent, type AidEvent, type FieldError } from '@aidwatch/domain';
import { NmeaDecoder, nmeaResultsToCloudEvents } from '@aidwatch/maritime';

/** A Kafka value or HTTP body that holds raw AIS NMEA sentences (optionally with tag blocks) rather than JSON. */
export function looksLikeNmea(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith('!AI') || start.startsWith('!BS') || start.startsWith('\\');
}

export type NmeaLinesResult =
  { ok: true; events: AidEvent[] } | { ok: false; reason: string; errors: FieldError[] };

/**
 * Decodes the sentences of one message (one or more lines) into contract events. Multipart messages are
 * assembled across calls by the decoder the caller keeps per source (Kafka partition, HTTP request).
 * Sentences without a tag-block time take `receivedAtMs`.
 */
export function decodeNmeaLines(
  decoder: NmeaDecoder,
  text: string,
  receivedAtMs: number,
  station?: string,
): NmeaLinesResult {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const errors: FieldError[] = [];
  const events: AidEvent[] = [];
  lines.forEach((line, index) => {
    const decoded = nmeaResultsToCloudEvents(decoder.decode(line.trim(), receivedAtMs), { station });
    for (const e of decoded.errors) errors.push({ field: `line ${index + 1}`, message: e.error });
    for (const event of decoded.events) {
      const checked = validateCloudEvent(event);
      if (checked.ok) events.push(checked.event);
      else
        errors.push(
          ...checked.errors.map((err) => ({
            field: `line ${index + 1}: ${err.field}`,
            message: err.message,
          })),
        );
    }
  });
  if (errors.length > 0) {
    return {
      ok: false,
      reason: `${errors.length} undecodable AIS sentence(s): ${errors[0].message}`,
      errors,
    };
  }
  return { ok: true, events };
}

export { NmeaDecoder };
