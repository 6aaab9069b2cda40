// Field extraction for the AIS messages AidWatch uses. Bit access and the layouts of types 1-3, 5, 18 and 24 come
// from ais-stream-decoder (pinned; its stream wrapper is not used, see nmea.decoder.ts); type 19, which that
// library lacks, is read here with its bit field following ITU-R M.1371 (as documented in gpsd's AIVDM notes).
import AisBitField from 'ais-stream-decoder/dist/ais-bitfield';
import AisMessage123 from 'ais-stream-decoder/dist/messages/ais-message-123';
import AisMessage18 from 'ais-stream-decoder/dist/messages/ais-message-18';
import AisMessage24 from 'ais-stream-decoder/dist/messages/ais-message-24';
import AisMessage5 from 'ais-stream-decoder/dist/messages/ais-message-5';

export interface AisPosition {
  lat: number;
  lon: number;
  /** Knots; undefined when the transponder reports "not available" (1023). */
  sog?: number;
  cog?: number;
  heading?: number;
  navStatus?: number;
}

export interface AisStatic {
  imo?: string;
  name?: string;
  callsign?: string;
  shipType?: number;
  draught?: number;
  destination?: string;
}

export interface DecodedAis {
  messageType: number;
  mmsi: string;
  position?: AisPosition;
  static?: AisStatic;
}

export type PayloadDecoding =
  | { ok: true; message: DecodedAis }
  | { ok: false; unsupported: true; messageType: number }
  | { ok: false; unsupported: false; error: string };

// Bits each message must carry for the fields read here. A type 5 shorter than its 424 bits yields the
// fields it carries whole (IMO from 70 bits on), as gpsd and pyais do with truncated receptions.
const MIN_BITS: Record<number, number> = { 1: 137, 2: 137, 3: 137, 5: 70, 18: 133, 19: 271, 24: 160, 27: 96 };
const FULL_TYPE_5_BITS = 422;

export function decodeAisPayload(payload: string, fillBits: number): PayloadDecoding {
  const bitCount = payload.length * 6 - fillBits;
  if (bitCount < 38) return invalid(`payload too short (${bitCount} bits)`);
  const bits = new AisBitField(payload);
  const messageType = bits.getInt(0, 6);
  const needed = MIN_BITS[messageType];
  if (needed === undefined) return { ok: false, unsupported: true, messageType };
  if (bitCount < needed) return invalid(`type ${messageType} needs ${needed} bits, payload has ${bitCount}`);
  const mmsi = String(bits.getInt(8, 30)).padStart(9, '0');

  switch (messageType) {
    case 1:
    case 2:
    case 3: {
      const m = new AisMessage123(messageType, '', bits);
      return position(
        messageType,
        mmsi,
        m.lat,
        m.lon,
        m.speedOverGround,
        m.courseOverGround,
        m.heading,
        m.navStatus,
      );
    }
    case 18: {
      const m = new AisMessage18(messageType, '', bits);
      return position(messageType, mmsi, m.lat, m.lon, m.speedOverGround, m.courseOverGround, m.heading);
    }
    case 19:
      return decodeType19(bits, mmsi);
    case 27:
      return decodeType27(bits, mmsi);
    case 5: {
      if (bitCount < FULL_TYPE_5_BITS) return decodeShortType5(bits, mmsi, bitCount);
      const m = new AisMessage5(messageType, '', bits);
      return ok({
        messageType,
        mmsi,
        static: staticFields({
          imo: m.imo,
          name: m.name,
          callsign: m.callsign,
          shipType: m.typeAndCargo,
          draught: m.draught,
          destination: m.destination,
        }),
      });
    }
    default: {
      // Type 24: part A carries the name, part B the ship type and call sign.
      if (bits.getInt(38, 2) > 1) return invalid(`type 24 with unknown part number ${bits.getInt(38, 2)}`);
      const m = new AisMessage24(messageType, '', bits);
      return ok({
        messageType,
        mmsi,
        static: staticFields({ name: m.name, callsign: m.callsign, shipType: m.typeAndCargo }),
      });
    }
  }
}

// Type 19, extended class B position report: the type 18 position block, then name and ship type.
function decodeType19(bits: AisBitField, mmsi: string): PayloadDecoding {
  const sogRaw = bits.getInt(46, 10);
  const lonRaw = bits.getSignedInt(57, 28);
  const latRaw = bits.getSignedInt(85, 27);
  const cogRaw = bits.getInt(112, 12);
  const headingRaw = bits.getInt(124, 9);
  const decoded = position(
    19,
    mmsi,
    latRaw === 91 * 600000 ? null : latRaw / 600000,
    lonRaw === 181 * 600000 ? null : lonRaw / 600000,
    sogRaw === 1023 ? null : sogRaw / 10,
    cogRaw === 3600 ? null : cogRaw / 10,
    headingRaw === 511 ? null : headingRaw,
  );
  if (!decoded.ok) return decoded;
  decoded.message.static = staticFields({ name: bits.getString(143, 120), shipType: bits.getInt(263, 8) });
  return decoded;
}

// Type 27, long-range position for satellite reception (ITU-R M.1371-5 §3.3.8.2.26): 1/10' resolution,
// SOG in whole knots (63 = not available), COG in whole degrees (511 = not available).
function decodeType27(bits: AisBitField, mmsi: string): PayloadDecoding {
  const navStatus = bits.getInt(40, 4);
  const lonRaw = bits.getSignedInt(44, 18);
  const latRaw = bits.getSignedInt(62, 17);
  const sogRaw = bits.getInt(79, 6);
  const cogRaw = bits.getInt(85, 9);
  return position(
    27,
    mmsi,
    latRaw === 91 * 600 ? null : latRaw / 600,
    lonRaw === 181 * 600 ? null : lonRaw / 600,
    sogRaw === 63 ? null : sogRaw,
    cogRaw === 511 ? null : cogRaw,
    null,
    navStatus,
  );
}

// Type 5 cut short: each field read only when all its bits arrived (layout of ITU-R M.1371 / gpsd AIVDM).
function decodeShortType5(bits: AisBitField, mmsi: string, bitCount: number): PayloadDecoding {
  const has = (end: number) => bitCount >= end;
  return ok({
    messageType: 5,
    mmsi,
    static: staticFields({
      imo: bits.getInt(40, 30),
      callsign: has(112) ? bits.getString(70, 42) : undefined,
      name: has(232) ? bits.getString(112, 120) : undefined,
      shipType: has(240) ? bits.getInt(232, 8) : undefined,
      draught: has(302) ? bits.getInt(294, 8) / 10 : undefined,
    }),
  });
}

function position(
  messageType: number,
  mmsi: string,
  lat: number | null,
  lon: number | null,
  sog: number | null,
  cog: number | null,
  heading: number | null,
  navStatus?: number,
): PayloadDecoding {
  if (lat === null || lon === null) return invalid('position not available (lat 91 / lon 181)');
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180))
    return invalid(`position out of range (${lat}, ${lon})`);
  const out: AisPosition = { lat: round(lat, 7), lon: round(lon, 7) };
  if (sog !== null && sog <= 102.2) out.sog = round(sog, 1);
  if (cog !== null && cog < 360) out.cog = round(cog, 1);
  if (heading !== null && heading <= 359) out.heading = heading;
  if (navStatus !== undefined) out.navStatus = navStatus;
  return ok({ messageType, mmsi, position: out });
}

interface RawStatic {
  imo?: number;
  name?: string;
  callsign?: string;
  shipType?: number;
  draught?: number;
  destination?: string;
}

// Zero and empty mean "not available" in every static field AIS has.
function staticFields(raw: RawStatic): AisStatic {
  const out: AisStatic = {};
  if (raw.imo !== undefined && raw.imo >= 1_000_000 && raw.imo <= 9_999_999) out.imo = String(raw.imo);
  const name = text(raw.name);
  if (name) out.name = name;
  const callsign = text(raw.callsign);
  if (callsign) out.callsign = callsign;
  if (raw.shipType !== undefined && raw.shipType > 0) out.shipType = raw.shipType;
  if (raw.draught !== undefined && raw.draught > 0) out.draught = round(raw.draught, 1);
  const destination = text(raw.destination);
  if (destination) out.destination = destination;
  return out;
}

// Six-bit text is padded with '@' (0) and spaces; the library already stops at the first '@'.
const text = (value: string | undefined): string | undefined => value?.replace(/@+$/, '').trim() || undefined;

const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

const ok = (message: DecodedAis): PayloadDecoding => ({ ok: true, message });
const invalid = (error: string): PayloadDecoding => ({ ok: false, unsupported: false, error });
