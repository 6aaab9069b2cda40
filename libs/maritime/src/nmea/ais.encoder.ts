// Encodes AIS messages into `!AIVDM` sentences: the inverse of the decoder, for test fixtures and for feeding
// simulated traffic through the NMEA intake. Layouts per ITU-R M.1371 (types 1-3, 5, 18, 19, 24).
import { nmeaChecksum } from './nmea-sentence';

export interface AisPayload {
  payload: string;
  fillBits: number;
}

export class AisBitWriter {
  private readonly bits: number[] = [];

  get length(): number {
    return this.bits.length;
  }

  uint(value: number, width: number): this {
    const v = Math.round(value);
    if (v < 0 || v >= 2 ** width) throw new RangeError(`${value} does not fit in ${width} unsigned bits`);
    for (let i = width - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) % 2);
    return this;
  }

  int(value: number, width: number): this {
    const v = Math.round(value);
    if (v < -(2 ** (width - 1)) || v >= 2 ** (width - 1))
      throw new RangeError(`${value} does not fit in ${width} bits`);
    return this.uint(v < 0 ? v + 2 ** width : v, width);
  }

  /** Six-bit ASCII, upper-cased, padded with '@' to `chars` characters. */
  text(value: string, chars: number): this {
    const s = value.toUpperCase().slice(0, chars).padEnd(chars, '@');
    for (const ch of s) {
      const code = ch.charCodeAt(0);
      if (code < 32 || code > 95) throw new RangeError(`"${ch}" has no six-bit AIS code`);
      this.uint(code >= 64 ? code - 64 : code, 6);
    }
    return this;
  }

  toPayload(): AisPayload {
    const fillBits = (6 - (this.bits.length % 6)) % 6;
    const bits = [...this.bits, ...new Array<number>(fillBits).fill(0)];
    let payload = '';
    for (let i = 0; i < bits.length; i += 6) {
      let v = 0;
      for (let j = 0; j < 6; j++) v = v * 2 + bits[i + j];
      payload += String.fromCharCode(v < 40 ? v + 48 : v + 56);
    }
    return { payload, fillBits };
  }
}

export interface PositionInput {
  mmsi: string;
  lat: number;
  lon: number;
  /** Knots; omitted means "not available". */
  sog?: number;
  cog?: number;
  heading?: number;
  /** UTC second of the fix; 60 = not available. */
  second?: number;
}

export interface ClassAPositionInput extends PositionInput {
  type?: 1 | 2 | 3;
  navStatus?: number;
}

export function encodeClassAPosition(p: ClassAPositionInput): AisPayload {
  const w = new AisBitWriter()
    .uint(p.type ?? 1, 6)
    .uint(0, 2)
    .uint(Number(p.mmsi), 30)
    .uint(p.navStatus ?? 15, 4)
    .int(-128, 8);
  positionBlock(w, p);
  return w
    .uint(p.second ?? 60, 6)
    .uint(0, 2)
    .uint(0, 3)
    .uint(0, 1)
    .uint(0, 19)
    .toPayload();
}

export function encodeClassBPosition(p: PositionInput): AisPayload {
  const w = new AisBitWriter().uint(18, 6).uint(0, 2).uint(Number(p.mmsi), 30).uint(0, 8);
  positionBlock(w, p);
  return w
    .uint(p.second ?? 60, 6)
    .uint(0, 2)
    .uint(1, 1)
    .uint(0, 5)
    .uint(0, 1)
    .uint(0, 20)
    .toPayload();
}

export interface VesselDimensions {
  toBow: number;
  toStern: number;
  toPort: number;
  toStarboard: number;
}

export function encodeExtendedClassB(p: PositionInput & { name?: string; shipType?: number }): AisPayload {
  const w = new AisBitWriter().uint(19, 6).uint(0, 2).uint(Number(p.mmsi), 30).uint(0, 8);
  positionBlock(w, p);
  w.uint(p.second ?? 60, 6)
    .uint(0, 4)
    .text(p.name ?? '', 20)
    .uint(p.shipType ?? 0, 8);
  return dimensions(w, undefined).uint(1, 4).uint(0, 1).uint(1, 1).uint(0, 1).uint(0, 4).toPayload();
}

export interface StaticVoyageInput {
  mmsi: string;
  imo?: string;
  callsign?: string;
  name?: string;
  shipType?: number;
  dimensions?: VesselDimensions;
  /** Metres. */
  draught?: number;
  destination?: string;
}

export function encodeStaticVoyage(s: StaticVoyageInput): AisPayload {
  const w = new AisBitWriter()
    .uint(5, 6)
    .uint(0, 2)
    .uint(Number(s.mmsi), 30)
    .uint(0, 2)
    .uint(s.imo ? Number(s.imo) : 0, 30)
    .text(s.callsign ?? '', 7)
    .text(s.name ?? '', 20)
    .uint(s.shipType ?? 0, 8);
  dimensions(w, s.dimensions).uint(1, 4);
  // ETA not available: month 0, day 0, hour 24, minute 60.
  w.uint(0, 4).uint(0, 5).uint(24, 5).uint(60, 6);
  return w
    .uint(Math.min(255, Math.round((s.draught ?? 0) * 10)), 8)
    .text(s.destination ?? '', 20)
    .uint(0, 1)
    .uint(0, 1)
    .toPayload();
}

export function encodeStaticDataReport(
  part: 'A' | 'B',
  s: { mmsi: string; name?: string; shipType?: number; callsign?: string; dimensions?: VesselDimensions },
): AisPayload {
  const w = new AisBitWriter()
    .uint(24, 6)
    .uint(0, 2)
    .uint(Number(s.mmsi), 30)
    .uint(part === 'A' ? 0 : 1, 2);
  if (part === 'A') return w.text(s.name ?? '', 20).toPayload();
  w.uint(s.shipType ?? 0, 8)
    .text('', 3)
    .uint(0, 4)
    .uint(0, 20)
    .text(s.callsign ?? '', 7);
  return dimensions(w, s.dimensions).uint(0, 6).toPayload();
}

export interface SentenceOptions {
  channel?: string;
  /** Sequential message id for multipart messages (0-9). */
  sequenceId?: number;
  talker?: string;
  /** Six-bit characters per sentence; 60 keeps each sentence within NMEA's 82 characters. */
  maxPayloadChars?: number;
  /** Tag block fields placed before the first sentence: `c` unix seconds, `s` station. */
  tagBlock?: { c?: number; s?: string };
}

export function toSentences({ payload, fillBits }: AisPayload, options: SentenceOptions = {}): string[] {
  const size = options.maxPayloadChars ?? 60;
  const parts: string[] = [];
  for (let i = 0; i < payload.length; i += size) parts.push(payload.slice(i, i + size));
  const seq = parts.length > 1 ? String(options.sequenceId ?? 0) : '';
  return parts.map((part, i) => {
    const fill = i === parts.length - 1 ? fillBits : 0;
    const body = `${options.talker ?? 'AIVDM'},${parts.length},${i + 1},${seq},${options.channel ?? 'A'},${part},${fill}`;
    const sentence = `!${body}*${nmeaChecksum(body)}`;
    return i === 0 && options.tagBlock ? tagBlock(options.tagBlock) + sentence : sentence;
  });
}

export function tagBlock(fields: { c?: number; s?: string }): string {
  const content = [
    fields.s !== undefined ? `s:${fields.s}` : '',
    fields.c !== undefined ? `c:${fields.c}` : '',
  ]
    .filter((f) => f !== '')
    .join(',');
  return `\\${content}*${nmeaChecksum(content)}\\`;
}

function positionBlock(w: AisBitWriter, p: PositionInput): void {
  w.uint(p.sog === undefined ? 1023 : Math.min(1022, Math.round(p.sog * 10)), 10)
    .uint(0, 1)
    .int(Math.round(p.lon * 600000), 28)
    .int(Math.round(p.lat * 600000), 27)
    .uint(p.cog === undefined ? 3600 : Math.round(p.cog * 10) % 3600, 12)
    .uint(p.heading ?? 511, 9);
}

function dimensions(w: AisBitWriter, d: VesselDimensions | undefined): AisBitWriter {
  return w
    .uint(d?.toBow ?? 0, 9)
    .uint(d?.toStern ?? 0, 9)
    .uint(d?.toPort ?? 0, 6)
    .uint(d?.toStarboard ?? 0, 6);
}
