import type { VesselPositionData, VesselStaticData } from '@aidwatch/domain';
import { flagOfMmsi } from '@aidwatch/domain';
import { decodeAisPayload, type DecodedAis } from './ais-payload.decoder';
import { parseAisSentence, type AisSentence } from './nmea-sentence';

export interface NmeaDecoderOptions {
  /** Station named in results whose sentences carry none (tag block `s:`). */
  station?: string;
  /** Multipart messages awaiting fragments at once; beyond it the oldest is dropped. */
  maxPendingMessages?: number;
}

export interface NmeaMeta {
  messageType: number;
  /** The sentences of the message, without tag blocks, in fragment order. */
  sentences: string[];
  station?: string;
}

export type NmeaPositionResult = { kind: 'position'; data: VesselPositionData; meta: NmeaMeta };
export type NmeaStaticResult = { kind: 'static'; data: VesselStaticData; meta: NmeaMeta };
export type NmeaDecoded = NmeaPositionResult | NmeaStaticResult;
export type NmeaError = { error: string; line: string };
export type NmeaResult = NmeaDecoded | NmeaError;

export const isNmeaError = (result: NmeaResult): result is NmeaError => 'error' in result;

export interface NmeaDecoderStats {
  sentences: number;
  messages: number;
  /** Messages of a type AidWatch does not use (base stations, safety text, binary…). */
  unsupported: number;
  errors: number;
}

interface Pending {
  fragments: AisSentence[];
  timeMs?: number;
}

/**
 * Decodes AIS sentences, one line at a time, into vessel positions and static reports. Stateful: fragments of
 * multipart messages are held, per channel and sequential message id, until the last one arrives, so
 * interleaved messages on both channels assemble correctly (ais-stream-decoder's own stream keeps a single
 * buffer and rejects them). NMEA carries no date, so each result's time is the tag block's `c:` or, failing
 * that, the receive time the caller passes in.
 */
export class NmeaDecoder {
  readonly stats: NmeaDecoderStats = { sentences: 0, messages: 0, unsupported: 0, errors: 0 };
  private readonly pending = new Map<string, Pending>();
  private readonly maxPending: number;

  constructor(private readonly options: NmeaDecoderOptions = {}) {
    this.maxPending = options.maxPendingMessages ?? 64;
  }

  decode(line: string, receivedAtMs?: number): NmeaResult[] {
    this.stats.sentences++;
    const parsed = parseAisSentence(line);
    if (!parsed.ok) return [this.fail(parsed.error, line)];
    const sentence = parsed.sentence;
    const timeMs = sentence.receivedAtMs ?? receivedAtMs;
    if (sentence.fragmentCount === 1) return this.decodeMessage([sentence], timeMs, line);

    const key = fragmentKey(sentence);
    const held = this.pending.get(key);
    const out: NmeaResult[] = [];
    if (sentence.fragmentNumber === 1) {
      if (held) out.push(this.fail(`incomplete message dropped (${describe(held)})`, line));
      this.hold(key, { fragments: [sentence], timeMs }, out, line);
      return out;
    }
    if (!held || held.fragments.length !== sentence.fragmentNumber - 1) {
      if (held) this.pending.delete(key);
      return [
        this.fail(
          `fragment ${sentence.fragmentNumber} of ${sentence.fragmentCount} without the ones before it`,
          line,
        ),
      ];
    }
    held.fragments.push(sentence);
    held.timeMs ??= timeMs;
    if (sentence.fragmentNumber < sentence.fragmentCount) return out;
    this.pending.delete(key);
    return this.decodeMessage(held.fragments, held.timeMs, line);
  }

  /** Multipart messages still waiting for fragments. */
  get pendingMessages(): number {
    return this.pending.size;
  }

  private hold(key: string, entry: Pending, out: NmeaResult[], line: string): void {
    this.pending.delete(key);
    this.pending.set(key, entry);
    if (this.pending.size <= this.maxPending) return;
    const [oldestKey, oldest] = this.pending.entries().next().value as [string, Pending];
    this.pending.delete(oldestKey);
    out.push(this.fail(`incomplete message dropped (${describe(oldest)}): too many pending`, line));
  }

  private decodeMessage(fragments: AisSentence[], timeMs: number | undefined, line: string): NmeaResult[] {
    const payload = fragments.map((f) => f.payload).join('');
    const decoded = decodeAisPayload(payload, fragments[fragments.length - 1].fillBits);
    if (!decoded.ok) {
      if (decoded.unsupported) {
        this.stats.unsupported++;
        return [];
      }
      return [this.fail(decoded.error, line)];
    }
    if (timeMs === undefined || !Number.isFinite(timeMs)) {
      return [this.fail('no time: the sentence has no tag block "c:" and no receive time was given', line)];
    }
    this.stats.messages++;
    const meta: NmeaMeta = {
      messageType: decoded.message.messageType,
      sentences: fragments.map((f) => f.text),
      station: fragments[0].station ?? this.options.station,
    };
    return this.toResults(decoded.message, new Date(timeMs).toISOString(), meta, line);
  }

  private toResults(message: DecodedAis, at: string, meta: NmeaMeta, line: string): NmeaResult[] {
    const out: NmeaResult[] = [];
    const { mmsi, position } = message;
    if (position) {
      const { sog, ...rest } = position;
      if (sog === undefined) out.push(this.fail(`position of ${mmsi} has no speed over ground`, line));
      else
        out.push({
          kind: 'position',
          data: { mmsi, lat: rest.lat, lon: rest.lon, sog, ...optional(rest), at },
          meta,
        });
    }
    if (message.static && Object.keys(message.static).length > 0) {
      const flag = flagOfMmsi(mmsi);
      out.push({ kind: 'static', data: { mmsi, ...message.static, ...(flag ? { flag } : {}), at }, meta });
    }
    return out;
  }

  private fail(error: string, line: string): NmeaError {
    this.stats.errors++;
    return { error, line };
  }
}

function optional(p: { cog?: number; heading?: number; navStatus?: number }) {
  const out: { cog?: number; heading?: number; navStatus?: number } = {};
  if (p.cog !== undefined) out.cog = p.cog;
  if (p.heading !== undefined) out.heading = p.heading;
  if (p.navStatus !== undefined) out.navStatus = p.navStatus;
  return out;
}

// A tag block group names the message outright; otherwise station, channel and sequential id tell it apart.
const fragmentKey = (s: AisSentence): string =>
  s.groupId !== undefined
    ? `g|${s.groupId}|${s.fragmentCount}`
    : [s.station ?? '', s.channel, s.sequenceId, s.fragmentCount].join('|');

const describe = (held: Pending): string => {
  const first = held.fragments[0];
  return `${held.fragments.length} of ${first.fragmentCount} fragments, channel ${first.channel || '-'}, id ${first.sequenceId || '-'}`;
};
