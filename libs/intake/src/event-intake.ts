import canonicalize from 'canonicalize';
import {
  Topics,
  decodeHttpBody,
  decodeKafkaMessage,
  eventDepthRejection,
  MAX_JSON_DEPTH,
  storeEventId,
  validateInboundEvent,
  countedFieldProblems,
  stringFieldProblems,
  streamOf,
  type StringLimits,
  type AidEvent,
  type FieldError,
  type EventValidation,
  type HttpHeaders,
  BatchOwnership,
  EventTypes,
  type OwnershipLookup,
  partitionCaughtUpEvent,
  partitionStreamOf,
  type CaughtUpMarker,
} from '@aidwatch/domain';
import {
  EventContentConflictError,
  EventIdConflictError,
  type EventStore,
  type NewEvent,
  type StreamWrite,
} from '@aidwatch/event-store';
import type { InboundMessage, MessageOutcome } from '@aidwatch/messaging';
import type { AidwatchMetrics } from '@aidwatch/observability';
import { defaultMaxFutureSkewSec, futureDatedProblems, futureDatedReason } from './future-dated';
import { mapFieldSubmission, type FieldTool } from './field-submission';
import type { FieldFormMapping } from './field-submission-mapping';
import type { NmeaDecoderOptions } from '@aidwatch/maritime';
import { appendMarker } from './append-marker';
import { InputQuietWatch, type InputQuietOptions } from './input-quiet-watch';
import {
  decodeNmeaLines,
  looksLikeNmea,
  NmeaDecoder,
  type NmeaLineReport,
  type NmeaLinesResult,
} from './nmea-intake';

/** How the intake judges event times: the receiver's clock and the allowed skew (`MAX_FUTURE_SKEW`). */
export interface IntakeClock {
  /** Wall clock, epoch ms (the time an event is received). */
  now: () => number;
  /** Events dated later than received time plus this (ms) are refused. */
  maxFutureSkewMs: number;
}

export interface HttpEventError {
  index: number;
  id?: string;
  reason: string;
  errors: FieldError[];
  /** Problems of the event beyond those listed in `errors` (identifier and text rules list 20). */
  moreErrors?: number;
}

/**
 * `invalid`: the body or an event failed validation (400); `forbidden`: the caller may not write an event
 * (403); `conflict`: an event's `source` + `id` is already stored with different content (409);
 * `unmappable`: a field-tool submission that does not map to a contract event (422).
 */
export type HttpIntakeResult =
  /** `appended`: how many of the accepted events were new (the rest were identical repeats). */
  | { ok: true; accepted: string[]; appended: number }
  | { ok: false; kind: 'invalid' | 'forbidden' | 'conflict' | 'unmappable'; errors: HttpEventError[] };

/** `POST /ais/nmea`: the ids stored, and what became of every other line. */
export type NmeaIntakeResult =
  | {
      ok: true;
      accepted: string[];
      rejected: NmeaLineReport[];
      skipped: NmeaLineReport[];
      pending: NmeaLineReport[];
    }
  | Extract<HttpIntakeResult, { ok: false }>;

/** The event types that decide who owns an exemption or a consignment (see `ownershipRefusal`). */
const OWNERSHIP_TYPES: ReadonlySet<string> = new Set([
  EventTypes.ExemptionGranted,
  EventTypes.ConsignmentRegistered,
]);

/** Why the caller may not write this event (a sentence), or undefined when it may. */
export type WriteAuthorizer = (event: AidEvent) => Promise<string | undefined>;

/**
 * The caller's last word on a request's events, decoded, validated and authorized, before they are appended
 * (e.g. a per-organisation limit on what they carry); it refuses the request by throwing.
 */
export type AdmissionGate = (events: readonly AidEvent[]) => Promise<void>;

/**
 * The one intake path for every transport: validate, then append idempotently to each event's stream.
 * Kafka and HTTP differ only in how bytes become candidate events and how rejections are reported.
 */
export class EventIntake {
  /**
   * One NMEA decoder for HTTP and Kafka alike: fragments of a multipart message meet whichever request or
   * message brings them (told apart by station), and a message heard by two stations is stored once.
   */
  private readonly nmea: NmeaDecoder;
  private nmeaExpired = 0;
  /** CloudEvents decoded by `eventTimeOf`, reused when the same message is ingested (decoded once). */
  private readonly decoded = new WeakMap<InboundMessage, ReturnType<typeof decodeKafkaMessage>>();

  private readonly limits: StringLimits;
  /** Deepest nesting of an event as decoded, levels (`LIMIT_JSON_DEPTH`): over Kafka and HTTP alike. */
  private readonly jsonDepth: number;
  private readonly clock: IntakeClock;
  /**
   * Who owns exemptions and consignments (see `ownershipRefusal`): a grant or registration that would move
   * one is refused, over HTTP (403) and Kafka (dead letter) alike. Absent: not judged (benchmarks, tools).
   */
  private readonly ownership: OwnershipLookup | undefined;
  /** The tail of the ownership lock: resolves when the batch before has been judged and appended. */
  private ownershipQueue: Promise<void> = Promise.resolve();
  /** Quiet markers of AIS sources heard over HTTP, UDP and TCP (absent: none written). */
  private readonly quiet: InputQuietWatch | undefined;

  /**
   * `limits`: longest identifier (ids, sources, subjects, `…Id` fields) and free-text string, characters;
   * defaults 256 and 4096 (settings `LIMIT_IDENTIFIER_LENGTH`, `LIMIT_TEXT_LENGTH`). `jsonDepth`: the deepest
   * nesting of an event as decoded, levels; deeper ones are refused (400) or dead-lettered (default
   * `MAX_JSON_DEPTH`, 32; setting `LIMIT_JSON_DEPTH`). `nmea`: the AIS
   * decoder's windows (settings `AIS_FRAGMENT_WINDOW_SEC`, `AIS_DUPLICATE_WINDOW_SEC`). `ownership`: the
   * ownership lookup writes are judged against (the store's, `StoreTenantLookup`). `quiet`: write
   * `aidwatch.input.quiet.v1` for AIS sources heard over HTTP, UDP or TCP once they fall quiet
   * (`InputQuietWatch`, setting `HTTP_INPUT_QUIET_MS`); absent, none is written.
   */
  constructor(
    private readonly store: EventStore,
    private readonly metrics: AidwatchMetrics,
    {
      nmea,
      ownership,
      quiet,
      jsonDepth,
      ...limits
    }: Partial<StringLimits> & {
      jsonDepth?: number;
      nmea?: NmeaDecoderOptions;
      ownership?: OwnershipLookup;
      quiet?: InputQuietOptions;
    } = {},
    clock: Partial<IntakeClock> = {},
  ) {
    this.ownership = ownership;
    this.quiet =
      quiet && quiet.quietMs > 0
        ? new InputQuietWatch(store, { now: clock.now, ...quiet }, (ok) =>
            this.metrics.inputQuietMarkers.inc({ outcome: ok ? 'written' : 'failed' }),
          )
        : undefined;
    this.limits = { identifierLength: 256, textLength: 4096, ...limits };
    this.jsonDepth = jsonDepth ?? MAX_JSON_DEPTH;
    this.nmea = new NmeaDecoder(nmea);
    this.clock = { now: () => Date.now(), maxFutureSkewMs: defaultMaxFutureSkewSec * 1000, ...clock };
    // Compiles the hot-path validator now (about 100 ms), not on the first message of a running consumer.
    validateInboundEvent(null);
  }

  /** Event-time fields dated beyond now plus the allowed skew (see `futureDatedProblems`). */
  private futureDated(event: AidEvent): FieldError[] {
    return futureDatedProblems(event, this.clock.now(), this.clock.maxFutureSkewMs);
  }

  /** At shutdown: writes the quiet markers still pending, then no more (see `InputQuietWatch.stop`). */
  async stop(): Promise<void> {
    await this.quiet?.stop();
  }

  /** `POST /events`: structured, batch or binary mode (see `decodeHttpBody`); `headers` carry binary mode's `ce-` attributes. */
  async ingestHttp(
    contentType: string | undefined,
    body: unknown,
    headers: HttpHeaders = {},
    authorize?: WriteAuthorizer,
    admit?: AdmissionGate,
  ): Promise<HttpIntakeResult> {
    const decoded = decodeHttpBody(contentType, body, headers);
    if (!decoded.ok) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, decoded.errors.length);
      return { ok: false, kind: 'invalid', errors: decoded.errors };
    }
    return this.appendAuthorized(decoded.events, authorize, 'http', admit);
  }

  /**
   * Why intake would refuse `event` as invalid (contract validation, then identifier and text rules:
   * lengths, control and bidirectional characters), or `undefined` when it is valid. Appends nothing.
   */
  invalidReason(event: unknown): string | undefined {
    const checked = validateInboundEvent(event);
    if (!checked.ok) return checked.reason;
    const errors = stringFieldProblems(checked.event, this.limits);
    return errors.length > 0 ? errors.map((e) => `${e.field}: ${e.message}`).join('; ') : undefined;
  }

  /**
   * All or nothing: one bad, refused or conflicting event refuses the whole request. Identifier and text
   * rules come first (400), then the caller's rights (403), then the append, where an id already stored
   * with other content (or in another stream) is a conflict (409).
   */
  private async appendAuthorized(
    events: AidEvent[],
    authorize?: WriteAuthorizer,
    channel: 'http' | 'udp' | 'tcp' = 'http',
    admit?: AdmissionGate,
  ): Promise<HttpIntakeResult> {
    const invalid: HttpEventError[] = [];
    // Nesting before the intake's own checks, on the events as decoded (a batch's array, a binary body or
    // `data_base64` nest otherwise than the request's JSON): nothing below walks an event deeper than the limit.
    // Contract validation came before, in decoding; it does not walk fields the contract does not name.
    for (const [index, event] of events.entries()) {
      const tooDeep = eventDepthRejection(event, this.jsonDepth);
      if (tooDeep) invalid.push({ index, id: safeId(event.id), ...tooDeep });
    }
    if (invalid.length > 0) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, invalid.length);
      return { ok: false, kind: 'invalid', errors: invalid };
    }
    for (const [index, event] of events.entries()) {
      const { problems: errors, more } = countedFieldProblems(event, this.limits);
      if (errors.length > 0)
        invalid.push({
          index,
          id: safeId(event.id),
          reason: 'invalid identifier or text',
          errors,
          ...(more > 0 && { moreErrors: more }),
        });
    }
    if (invalid.length > 0) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, invalid.length);
      return { ok: false, kind: 'invalid', errors: invalid };
    }
    const future: HttpEventError[] = [];
    for (const [index, event] of events.entries()) {
      const errors = this.futureDated(event);
      if (errors.length > 0) future.push({ index, id: safeId(event.id), reason: futureDatedReason, errors });
    }
    if (future.length > 0) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, future.length);
      this.metrics.eventsFutureDated.inc({ topic: 'http' }, future.length);
      return { ok: false, kind: 'invalid', errors: future };
    }
    if (authorize) {
      const refusals: HttpEventError[] = [];
      for (const [index, event] of events.entries()) {
        const reason = await authorize(event);
        if (reason)
          refusals.push({ index, id: event.id, reason, errors: [{ field: 'source', message: reason }] });
      }
      if (refusals.length > 0) {
        this.metrics.eventsRejected.inc({ topic: 'http' }, refusals.length);
        return { ok: false, kind: 'forbidden', errors: refusals };
      }
    }
    const repeated = conflictingRepeats(events);
    if (repeated.length > 0) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, repeated.length);
      return { ok: false, kind: 'conflict', errors: repeated };
    }
    await admit?.(events);
    return this.underOwnershipLock(events, async (): Promise<HttpIntakeResult> => {
      if (this.ownership) {
        const batch = new BatchOwnership(this.ownership);
        const refusals: HttpEventError[] = [];
        for (const [index, event] of events.entries()) {
          const reason = await batch.judge(event);
          if (reason)
            refusals.push({ index, id: event.id, reason, errors: [{ field: 'data', message: reason }] });
        }
        if (refusals.length > 0) {
          this.metrics.eventsRejected.inc({ topic: 'http' }, refusals.length);
          return { ok: false, kind: 'forbidden', errors: refusals };
        }
      }
      let appended: number;
      try {
        appended = await this.append(events.map((event) => ({ event, channel })));
      } catch (error) {
        const conflict = conflictOf(error, events);
        if (!conflict) throw error;
        this.metrics.eventsRejected.inc({ topic: 'http' });
        return { ok: false, kind: 'conflict', errors: [conflict] };
      }
      if (this.quiet) this.quiet.heard(aisSourcesOf(events));
      return { ok: true, accepted: events.map((e) => e.id), appended };
    });
  }

  /**
   * Runs the ownership judgement and the append of `events` one batch at a time when any of them is a
   * grant or a registration (which decide ownership), so two concurrent requests cannot both claim a
   * new exemption or consignment for different owners; other batches are not held up.
   */
  private async underOwnershipLock<T>(events: readonly AidEvent[], work: () => Promise<T>): Promise<T> {
    if (!this.ownership || !events.some((e) => OWNERSHIP_TYPES.has(e.type))) return work();
    const previous = this.ownershipQueue;
    let release!: () => void;
    this.ownershipQueue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * `POST /intake/kobo`, `POST /intake/odk`: one form submission, mapped (see `mapFieldSubmission`), then
   * validated and appended like any event. A repeat maps to the same event id, so it is stored once.
   * `sourceNamespace`: the submitting monitor's organisation namespace, under which the tool's source is
   * placed (see `mapFieldSubmission`).
   */
  async ingestFieldSubmission(
    tool: FieldTool,
    submission: unknown,
    mapping: FieldFormMapping,
    authorize?: WriteAuthorizer,
    sourceNamespace?: string,
    admit?: AdmissionGate,
  ): Promise<HttpIntakeResult> {
    const mapped = mapFieldSubmission(tool, submission, mapping, sourceNamespace);
    if (!mapped.ok) {
      this.metrics.eventsRejected.inc({ topic: `intake/${tool}` });
      const reason = `the ${tool === 'kobo' ? 'KoboToolbox' : 'ODK Central'} submission does not map to a verification event`;
      return { ok: false, kind: 'unmappable', errors: [{ index: 0, reason, errors: mapped.errors }] };
    }
    return this.appendAuthorized([mapped.event], authorize, 'http', admit);
  }

  /**
   * The event time (ms since the epoch) of a Kafka message carrying a CloudEvent, for aligning partitions in
   * event time; undefined for an invalid message or raw NMEA (whose decoder keeps multipart state, so it
   * decodes only once, in order, at ingestion).
   */
  eventTimeOf(message: InboundMessage): number | undefined {
    if (message.topic === Topics.positions && message.value && looksLikeNmea(message.value.toString('utf8')))
      return undefined;
    let decoded = this.decoded.get(message);
    if (!decoded) this.decoded.set(message, (decoded = decodeKafkaMessage(message, this.jsonDepth)));
    if (!decoded.ok) return undefined;
    const time = Date.parse(decoded.event.time);
    return Number.isFinite(time) ? time : undefined;
  }

  /**
   * Appends the caught-up marker of a Kafka partition (`aidwatch.partition.caught-up.v1`, stream
   * `partition-<topic>-<partition>`): every record before its end offset is stored (docs/time-model.md 5). It
   * carries the partition as its lane with none pending, as the partition's events do. A marker already
   * stored under its id (a retried write, or another member's of the same end offset) is kept as it is.
   */
  async appendCaughtUp(marker: CaughtUpMarker): Promise<void> {
    const { topic, partition } = marker;
    await appendMarker(this.store, partitionStreamOf(topic, partition), partitionCaughtUpEvent(marker), {
      channel: topic,
      partition,
      pending: 0,
    });
  }

  /** Resolves once every valid message is durably appended; invalid ones are reported, not thrown. */
  async ingestKafkaBatch(messages: readonly InboundMessage[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    const valid: Array<{
      event: AidEvent;
      topic: string;
      partition: number;
      pending?: number;
      outcome: number;
    }> = [];
    for (const message of messages) {
      const nmea = this.decodeNmeaMessage(message);
      if (nmea?.ok) {
        const future = nmea.events.flatMap((event) => this.futureDated(event));
        if (future.length > 0) {
          this.metrics.eventsRejected.inc({ topic: message.topic });
          this.metrics.eventsFutureDated.inc({ topic: message.topic });
          outcomes.push({ kind: 'invalid', reason: futureDatedReason, errors: future });
          continue;
        }
        for (const event of nmea.events)
          valid.push({
            event,
            topic: message.topic,
            partition: message.partition,
            pending: message.pending,
            outcome: outcomes.length,
          });
        outcomes.push({ kind: 'ok' });
        continue;
      }
      const decoded = nmea ?? this.decoded.get(message) ?? decodeKafkaMessage(message, this.jsonDepth);
      const problems = decoded.ok ? stringFieldProblems(decoded.event, this.limits) : [];
      const future = decoded.ok && problems.length === 0 ? this.futureDated(decoded.event) : [];
      if (decoded.ok && problems.length > 0) {
        this.metrics.eventsRejected.inc({ topic: message.topic });
        outcomes.push({ kind: 'invalid', reason: 'invalid identifier or text', errors: problems });
      } else if (future.length > 0) {
        this.metrics.eventsRejected.inc({ topic: message.topic });
        this.metrics.eventsFutureDated.inc({ topic: message.topic });
        outcomes.push({ kind: 'invalid', reason: futureDatedReason, errors: future });
      } else if (decoded.ok) {
        valid.push({
          event: decoded.event,
          topic: message.topic,
          partition: message.partition,
          pending: message.pending,
          outcome: outcomes.length,
        });
        outcomes.push({ kind: 'ok' });
      } else {
        this.metrics.eventsRejected.inc({ topic: message.topic });
        outcomes.push({ kind: 'invalid', reason: decoded.reason, errors: decoded.errors });
      }
    }
    await this.underOwnershipLock(
      valid.map((v) => v.event),
      async () => {
        if (this.ownership) {
          const batch = new BatchOwnership(this.ownership);
          const kept: typeof valid = [];
          for (const entry of valid) {
            const reason = await batch.judge(entry.event);
            if (reason === undefined) {
              kept.push(entry);
              continue;
            }
            this.metrics.eventsRejected.inc({ topic: entry.topic });
            outcomes[entry.outcome] = {
              kind: 'invalid',
              reason: `refused: ${reason}`,
              errors: [{ field: 'data', message: reason }],
            };
          }
          valid.splice(0, valid.length, ...kept);
        }
        // Records dead-lettered after a message in this slice will never be stored: not pending for detection.
        const rejectedAfter = new Array<number>(outcomes.length + 1).fill(0);
        for (let i = outcomes.length - 1; i >= 0; i--)
          rejectedAfter[i] = rejectedAfter[i + 1] + (outcomes[i].kind === 'invalid' ? 1 : 0);
        for (const entry of valid)
          if (entry.pending !== undefined)
            entry.pending = Math.max(0, entry.pending - rejectedAfter[entry.outcome + 1]);
        try {
          await this.append(
            valid.map(({ event, topic, partition, pending }) => ({
              event,
              channel: topic,
              partition,
              pending,
            })),
          );
        } catch (error) {
          if (!conflictOf(error, [])) throw error;
          // One message reuses a stored id with other content: append one by one, dead-lettering the conflicts.
          for (const { event, topic, partition, pending, outcome } of valid) {
            try {
              await this.append([{ event, channel: topic, partition, pending }]);
            } catch (single) {
              const conflict = conflictOf(single, [event]);
              if (!conflict) throw single;
              this.metrics.eventsRejected.inc({ topic });
              outcomes[outcome] = { kind: 'invalid', reason: conflict.reason, errors: conflict.errors };
            }
          }
        }
      },
    );
    return outcomes;
  }

  /**
   * `POST /ais/nmea`: a receiver log, line by line (see `decodeNmeaLines`): the decodable reports are
   * appended, every other line is reported. Refused as a whole (`invalid`) only when no line was usable.
   * `listener` is given by the UDP/TCP listeners: their events are stored on that channel, and `station`
   * (configured per sender or connection) is fixed: a line whose tag block names another station is refused.
   * Appended lines count as `aidwatch_ais_lines_total{outcome="accepted"}`.
   */
  async ingestNmeaText(
    text: string,
    receivedAtMs: number,
    station?: string,
    authorize?: WriteAuthorizer,
    listener?: { channel: 'udp' | 'tcp' },
  ): Promise<NmeaIntakeResult> {
    // A UDP/TCP listener's station is the one configured for the sender or connection: fixed.
    const decoded = this.decodeNmea(text, receivedAtMs, station, listener !== undefined);
    const { events, rejected, skipped, pending } = decoded;
    if (events.length + skipped.length + pending.length === 0) {
      this.metrics.eventsRejected.inc({ topic: 'http' });
      const reason = `no usable line: ${rejected.length} undecodable line${rejected.length === 1 ? '' : 's'}`;
      const errors = rejected.map((r) => ({ field: `line ${r.line}`, message: r.reason }));
      return { ok: false, kind: 'invalid', errors: [{ index: -1, reason, errors }] };
    }
    const appended = await this.appendAuthorized(events, authorize, listener?.channel);
    if (!appended.ok) return appended;
    this.metrics.aisLines.inc({ outcome: 'accepted' }, events.length);
    return { ok: true, accepted: appended.accepted, rejected, skipped, pending };
  }

  private decodeNmea(
    text: string,
    receivedAtMs: number,
    station?: string,
    stationFixed = false,
  ): NmeaLinesResult {
    const decoded = decodeNmeaLines(this.nmea, text, receivedAtMs, station, { stationFixed });
    const lines = this.metrics.aisLines;
    lines.inc({ outcome: 'rejected' }, decoded.rejected.length);
    lines.inc({ outcome: 'skipped' }, decoded.skipped.length);
    lines.inc({ outcome: 'pending' }, decoded.pending.length);
    const expired = this.nmea.stats.expired;
    lines.inc({ outcome: 'expired' }, expired - this.nmeaExpired);
    this.nmeaExpired = expired;
    return decoded;
  }

  /**
   * Raw NMEA on the AIS topic (feeds that only speak NMEA); undefined when the message is not NMEA. Bad
   * lines are counted in the metrics; the message is dead-lettered only when no line of it was usable.
   */
  private decodeNmeaMessage(
    message: InboundMessage,
  ): Extract<EventValidation, { ok: false }> | { ok: true; events: AidEvent[] } | undefined {
    if (message.topic !== Topics.positions || !message.value) return undefined;
    const text = message.value.toString('utf8');
    if (!looksLikeNmea(text)) return undefined;
    const decoded = this.decodeNmea(text, message.timestamp, message.headers['x-ais-station']);
    const { events, rejected, skipped, pending } = decoded;
    if (events.length + skipped.length + pending.length > 0 || rejected.length === 0)
      return { ok: true, events };
    const errors = rejected.map((r) => ({ field: `line ${r.line}`, message: r.reason }));
    return { ok: false, reason: `${rejected.length} undecodable AIS line(s): ${rejected[0].reason}`, errors };
  }

  /**
   * Appends in the order received: consecutive events of one stream become one write, and all writes go
   * in one call, so the store's global order is the arrival order (the embedded store: one transaction).
   * Returns how many events were new.
   */
  private async append(
    events: ReadonlyArray<{ event: AidEvent; channel: string; partition?: number; pending?: number }>,
  ): Promise<number> {
    if (events.length === 0) return 0;
    const writes: StreamWrite[] = [];
    for (const { event, channel, partition, pending } of events) {
      const streamId = streamOf(event);
      const stored: NewEvent = {
        id: storeEventId(event),
        type: event.type,
        data: event,
        // The Kafka partition it came by: detection keeps time per source and partition (docs/time-model.md 2),
        // and how many records were still pending there when it was fetched: an input still delivering is
        // never taken as idle (docs/time-model.md 5).
        metadata:
          partition === undefined
            ? { channel }
            : pending === undefined
              ? { channel, partition }
              : { channel, partition, pending },
      };
      const last = writes.at(-1);
      if (last?.streamId === streamId) last.events.push(stored);
      else writes.push({ streamId, events: [stored], expected: 'any', rejectChangedRepeats: true });
    }
    const end = this.metrics.appendSeconds.startTimer();
    const results = await this.store.appendMany(writes);
    end();
    const appended = results.reduce((sum, r) => sum + r.appended, 0);
    this.metrics.appends.inc({ outcome: 'new' }, appended);
    this.metrics.appends.inc({ outcome: 'duplicate' }, events.length - appended);
    for (const { event, channel } of events)
      this.metrics.eventsIngested.inc({ topic: channel, type: event.type });
    return appended;
  }
}

/** The sources of the AIS reports among `events` (each once). */
function aisSourcesOf(events: readonly AidEvent[]): Set<string> {
  const sources = new Set<string>();
  for (const e of events)
    if (e.type === EventTypes.VesselPositionReported || e.type === EventTypes.VesselStaticReported)
      sources.add(e.source);
  return sources;
}

/** The 409 detail of an event whose `source` + `id` is stored with other content or in another stream. */
function conflictOf(error: unknown, events: readonly AidEvent[]): HttpEventError | undefined {
  if (!(error instanceof EventContentConflictError) && !(error instanceof EventIdConflictError))
    return undefined;
  const index = events.findIndex((e) => storeEventId(e) === error.eventId);
  const event = events[index];
  const name = event ? `${event.source} ${event.id}` : error.eventId;
  const reason = `event ${name} is already stored with different content; a repeat must be identical`;
  return { index, id: event?.id ?? error.eventId, reason, errors: [{ field: 'id', message: reason }] };
}

/**
 * Events of one request repeating an earlier one's `source` + `id` with different content (canonical JSON,
 * RFC 8785): the store would keep the first and drop the other unseen, so the request is a 409 as a repeat of
 * a stored event is. Identical repeats pass (stored once).
 */
function conflictingRepeats(events: readonly AidEvent[]): HttpEventError[] {
  const first = new Map<string, AidEvent>();
  const errors: HttpEventError[] = [];
  for (const [index, event] of events.entries()) {
    const key = storeEventId(event);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, event);
    else if (canonicalize(earlier) !== canonicalize(event)) {
      const reason = `event ${event.source} ${event.id} repeats an earlier event of this request with different content; a repeat must be identical`;
      errors.push({ index, id: safeId(event.id), reason, errors: [{ field: 'id', message: reason }] });
    }
  }
  return errors;
}

/** An id to echo in an error body: cut short, so a huge id is not sent back whole. */
function safeId(id: unknown): string | undefined {
  return typeof id === 'string' ? (id.length > 100 ? `${id.slice(0, 100)}…` : id) : undefined;
}
