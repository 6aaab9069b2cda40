import type { VesselPositionData, VesselStaticData } from '@aidwatch/domain';
import { flagOfMmsi } from '@aidwatch/domain';
import { decodeAisPayload, type DecodedAis } from './ais-payload.decoder';
import { parseAisSentence, type AisSentence } from './nmea-sentence';

export interface NmeaDecoderOptions {
  /** Station named in results whose sentences carry none (tag block `s:`). */
  station?: string;
  /** Multipart messages awaiting fragments at once; beyond it the oldest is dropped. */
  maxPendingMessages?: number;
  /** How long the fragments of a multipart message wait for the others (ms of receive time). */
  fragmentWindowMs?: number;
  /** The same message (same payload) received again within this time (ms of event time) is a duplicate. */
  duplicateWindowMs?: number;
  /** How far a tag-block time may run ahead of the time of receipt before it is refused (ms). */
  maxTimeAheadMs?: number;
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
/**
 * A line that yields no event and is no error: `pending` (a fragment waiting for the rest), `skipped` (an
 * NMEA sentence other than AIS, or an AIS message type AidWatch does not use), `duplicate` (the same
 * message already heard, e.g. by another station).
 */
export type NmeaNote = { note: 'pending' | 'skipped' | 'duplicate'; detail: string; line: string };
export type NmeaResult = NmeaDecoded | NmeaError | NmeaNote;

export const isNmeaError = (result: NmeaResult): result is NmeaError => 'error' in result;
export const isNmeaNote = (result: NmeaResult): result is NmeaNote => 'note' in result;
export const isNmeaDecoded = (result: NmeaResult): result is NmeaDecoded => 'kind' in result;

export interface NmeaDecoderStats {
  sentences: number;
  messages: number;
  /** Messages of a type AidWatch does not use (base stations, safety text, binary…). */
  unsupported: number;
  /** NMEA sentences other than AIS (`$GPRMC`, `$ARVSI`…). */
  otherSentences: number;
  duplicates: number;
  /** Multipart messages dropped because their other fragments never came within the window. */
  expired: number;
  errors: number;
}

interface Pending {
  fragments: Array<AisSentence | undefined>;
  received: number;
  heldSinceMs: number;
}

// AIS carriage became mandatory from 2002 (SOLAS V/19); a tag-block time before 2000 is a broken clock.
const EARLIEST_AIS_TIME_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

/**
 * Decodes AIS sentences, one line at a time, into vessel positions and static reports. Stateful and meant
 * to be shared by every request and message of a process:
 * - fragments of a multipart message are held per station (tag block `s:` or the caller's), channel and
 *   sequential id, in any order, until all have come or `fragmentWindowMs` has passed;
 * - a message whose payload was already decoded within `duplicateWindowMs` (the same reception relayed by
 *   two stations) is reported as a duplicate instead of yielding a second event;
 * - NMEA carries no date, so a result's time is the tag block's `c:` (refused when before 2000 or more than
 *   `maxTimeAheadMs` after receipt) or, failing that, the receive time the caller passes in.
 */
export class NmeaDecoder {
  readonly stats: NmeaDecoderStats = {
    sentences: 0,
    messages: 0,
    unsupported: 0,
    otherSentences: 0,
    duplicates: 0,
    expired: 0,
    errors: 0,
  };
  private readonly pending = new Map<string, Pending>();
  private readonly recent = new Map<string, { timeMs: number; seenMs: number }>();
  private readonly maxPending: number;
  private readonly fragmentWindowMs: number;
  private readonly duplicateWindowMs: number;
  private readonly maxTimeAheadMs: number;

  constructor(private readonly options: NmeaDecoderOptions = {}) {
    this.maxPending = options.maxPendingMessages ?? 1024;
    this.fragmentWindowMs = options.fragmentWindowMs ?? 120_000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 30_000;
    this.maxTimeAheadMs = options.maxTimeAheadMs ?? DAY_MS;
  }

  /**
   * The results of one line. `receivedAtMs` is the time of receipt (for lines without `c:` and for the
   * fragment window); `station` names the receiver when the line does not.
   */
  decode(line: string, receivedAtMs?: number, station?: string): NmeaResult[] {
    this.stats.sentences++;
    if (receivedAtMs !== undefined) this.expire(receivedAtMs);
    const parsed = parseAisSentence(line);
    if (!parsed.ok) {
      if ('skipped' in parsed) {
        this.stats.otherSentences++;
        return [{ note: 'skipped', detail: `${parsed.skipped} is not an AIS sentence`, line }];
      }
      return [this.fail(parsed.error, line)];
    }
    const sentence = {
      ...parsed.sentence,
      station: parsed.sentence.station ?? station ?? this.options.station,
    };
    if (sentence.receivedAtMs !== undefined) {
      const implausible = this.implausibleTime(sentence.receivedAtMs, receivedAtMs);
      if (implausible) return [this.fail(implausible, line)];
    }
    const timeMs = sentence.receivedAtMs ?? receivedAtMs;
    if (sentence.fragmentCount === 1) return this.decodeMessage([sentence], timeMs, line, receivedAtMs);

    const key = fragmentKey(sentence);
    const out: NmeaResult[] = [];
    let held = this.pending.get(key);
    if (held?.fragments[sentence.fragmentNumber - 1]) {
      out.push(this.fail(`incomplete message dropped (${describe(held)}): its fragment came again`, line));
      this.pending.delete(key);
      held = undefined;
    }
    if (!held) {
      held = {
        fragments: new Array<AisSentence | undefined>(sentence.fragmentCount),
        received: 0,
        heldSinceMs: receivedAtMs ?? 0,
      };
      this.hold(key, held, out, line);
    }
    held.fragments[sentence.fragmentNumber - 1] = sentence;
    held.received++;
    if (held.received < sentence.fragmentCount) {
      out.push({
        note: 'pending',
        detail: `fragment ${sentence.fragmentNumber} of ${sentence.fragmentCount} waits for the others`,
        line,
      });
      return out;
    }
    this.pending.delete(key);
    const fragments = held.fragments as AisSentence[];
    const first = fragments[0];
    const time = first.receivedAtMs ?? fragments.find((f) => f.receivedAtMs !== undefined)?.receivedAtMs;
    out.push(...this.decodeMessage(fragments, time ?? timeMs, line, receivedAtMs));
    return out;
  }

  /** Multipart messages still waiting for fragments. */
  get pendingMessages(): number {
    return this.pending.size;
  }

  private implausibleTime(tagMs: number, receivedAtMs: number | undefined): string | undefined {
    const latest = receivedAtMs === undefined ? Infinity : receivedAtMs + this.maxTimeAheadMs;
    if (tagMs >= EARLIEST_AIS_TIME_MS && tagMs <= latest) return undefined;
    const when =
      Number.isFinite(tagMs) && Math.abs(tagMs) < 8.64e15 ? new Date(tagMs).toISOString() : 'no date';
    return tagMs < EARLIEST_AIS_TIME_MS
      ? `implausible tag block time ${when}: before 2000`
      : `implausible tag block time ${when}: more than ${this.maxTimeAheadMs / 3_600_000} h after receipt`;
  }

  private expire(nowMs: number): void {
    for (const [key, held] of this.pending) {
      if (nowMs - held.heldSinceMs <= this.fragmentWindowMs) continue;
      this.pending.delete(key);
      this.stats.expired++;
    }
  }

  private hold(key: string, entry: Pending, out: NmeaResult[], line: string): void {
    this.pending.set(key, entry);
    if (this.pending.size <= this.maxPending) return;
    const [oldestKey, oldest] = this.pending.entries().next().value as [string, Pending];
    this.pending.delete(oldestKey);
    out.push(this.fail(`incomplete message dropped (${describe(oldest)}): too many pending`, line));
  }

  private decodeMessage(
    fragments: AisSentence[],
    timeMs: number | undefined,
    line: string,
    receivedAtMs?: number,
  ): NmeaResult[] {
    const payload = fragments.map((f) => f.payload).join('');
    const fillBits = fragments[fragments.length - 1].fillBits;
    const decoded = decodeAisPayload(payload, fillBits);
    if (!decoded.ok) {
      if (decoded.unsupported) {
        this.stats.unsupported++;
        return [{ note: 'skipped', detail: `AIS message type ${decoded.messageType} is not used`, line }];
      }
      return [this.fail(decoded.error, line)];
    }
    if (timeMs === undefined || !Number.isFinite(timeMs)) {
      return [this.fail('no time: the sentence has no tag block "c:" and no receive time was given', line)];
    }
    if (this.seenRecently(`${payload},${fillBits}`, timeMs, receivedAtMs ?? timeMs)) {
      this.stats.duplicates++;
      return [{ note: 'duplicate', detail: 'the same message was received moments before', line }];
    }
    this.stats.messages++;
    const meta: NmeaMeta = {
      messageType: decoded.message.messageType,
      sentences: fragments.map((f) => f.text),
      station: fragments.find((f) => f.station !== undefined)?.station ?? this.options.station,
    };
    return this.toResults(decoded.message, new Date(timeMs).toISOString(), meta);
  }

  // Duplicates are judged by event time; payloads are remembered for ten windows of receipt time (a relay
  // seldom lags more), and at most 100,000 of them.
  private seenRecently(key: string, timeMs: number, seenMs: number): boolean {
    const seen = this.recent.get(key);
    if (seen !== undefined && Math.abs(timeMs - seen.timeMs) <= this.duplicateWindowMs) return true;
    this.recent.delete(key);
    this.recent.set(key, { timeMs, seenMs });
    for (const [oldKey, old] of this.recent) {
      if (this.recent.size <= 100_000 && old.seenMs >= seenMs - 10 * this.duplicateWindowMs) break;
      this.recent.delete(oldKey);
    }
    return false;
  }

  private toResults(message: DecodedAis, at: string, meta: NmeaMeta): NmeaResult[] {
    const out: NmeaResult[] = [];
    const { mmsi, position } = message;
    // Speed, course and heading "not available" are simply left out; the position stands on its own.
    if (position) out.push({ kind: 'position', data: { mmsi, ...position, at }, meta });
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

// A tag block group names the message outright; otherwise station, channel and sequential id tell it apart.
const fragmentKey = (s: AisSentence): string =>
  s.groupId !== undefined
    ? `g|${s.groupId}|${s.fragmentCount}`
    : [s.station ?? '', s.channel, s.sequenceId, s.fragmentCount].join('|');

const describe = (held: Pending): string => {
  const first = held.fragments.find((f) => f !== undefined)!;
  return `${held.received} of ${first.fragmentCount} fragments, channel ${first.channel || '-'}, id ${first.sequenceId || '-'}`;
};
