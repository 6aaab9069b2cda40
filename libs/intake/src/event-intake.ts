import {
  Topics,
  decodeHttpBody,
  decodeKafkaMessage,
  storeEventId,
  streamOf,
  type AidEvent,
  type FieldError,
  type HttpHeaders,
} from '@aidwatch/domain';
import type { EventStore, NewEvent, StreamWrite } from '@aidwatch/event-store';
import type { InboundMessage, MessageOutcome } from '@aidwatch/messaging';
import type { AidwatchMetrics } from '@aidwatch/observability';
import { mapFieldSubmission, type FieldTool } from './field-submission';
import type { FieldFormMapping } from './field-submission-mapping';
import { decodeNmeaLines, looksLikeNmea, NmeaDecoder } from './nmea-intake';

export interface HttpEventError {
  index: number;
  id?: string;
  reason: string;
  errors: FieldError[];
}

/**
 * `invalid`: the body or an event failed validation (400); `forbidden`: the caller may not write an event
 * (403); `conflict`: an event's `source` + `id` is already stored with different content (409);
 * `unmappable`: a field-tool submission that does not map to a contract event (422).
 */
export type HttpIntakeResult =
  | { ok: true; accepted: string[] }
  | { ok: false; kind: 'invalid' | 'forbidden' | 'conflict' | 'unmappable'; errors: HttpEventError[] };

/** Why the caller may not write this event (a sentence), or undefined when it may. */
export type WriteAuthorizer = (event: AidEvent) => Promise<string | undefined>;

/**
 * The one intake path for every transport: validate, then append idempotently to each event's stream.
 * Kafka and HTTP differ only in how bytes become candidate events and how rejections are reported.
 */
export class EventIntake {
  /** One NMEA decoder per Kafka partition, so multipart messages assemble in partition order. */
  private readonly nmeaDecoders = new Map<string, NmeaDecoder>();

  constructor(
    private readonly store: EventStore,
    private readonly metrics: AidwatchMetrics,
  ) {}

  /** `POST /events`: structured, batch or binary mode (see `decodeHttpBody`); `headers` carry binary mode's `ce-` attributes. */
  async ingestHttp(
    contentType: string | undefined,
    body: unknown,
    headers: HttpHeaders = {},
    authorize?: WriteAuthorizer,
  ): Promise<HttpIntakeResult> {
    const decoded = decodeHttpBody(contentType, body, headers);
    if (!decoded.ok) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, decoded.errors.length);
      return { ok: false, kind: 'invalid', errors: decoded.errors };
    }
    return this.appendAuthorized(decoded.events, authorize);
  }

  /** All or nothing: one refused event refuses the whole request. */
  private async appendAuthorized(events: AidEvent[], authorize?: WriteAuthorizer): Promise<HttpIntakeResult> {
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
    await this.append(events.map((event) => ({ event, channel: 'http' })));
    return { ok: true, accepted: events.map((e) => e.id) };
  }

  /**
   * `POST /intake/kobo`, `POST /intake/odk`: one form submission, mapped (see `mapFieldSubmission`), then
   * validated and appended like any event. A repeat maps to the same event id, so it is stored once.
   */
  async ingestFieldSubmission(
    tool: FieldTool,
    submission: unknown,
    mapping: FieldFormMapping,
    authorize?: WriteAuthorizer,
  ): Promise<HttpIntakeResult> {
    const mapped = mapFieldSubmission(tool, submission, mapping);
    if (!mapped.ok) {
      this.metrics.eventsRejected.inc({ topic: `intake/${tool}` });
      const reason = `the ${tool === 'kobo' ? 'KoboToolbox' : 'ODK Central'} submission does not map to a verification event`;
      return { ok: false, kind: 'unmappable', errors: [{ index: 0, reason, errors: mapped.errors }] };
    }
    return this.appendAuthorized([mapped.event], authorize);
  }

  /** Resolves once every valid message is durably appended; invalid ones are reported, not thrown. */
  async ingestKafkaBatch(messages: readonly InboundMessage[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    const valid: Array<{ event: AidEvent; topic: string }> = [];
    for (const message of messages) {
      const nmea = this.decodeNmeaMessage(message);
      if (nmea?.ok) {
        for (const event of nmea.events) valid.push({ event, topic: message.topic });
        outcomes.push({ kind: 'ok' });
        continue;
      }
      const decoded = nmea ?? decodeKafkaMessage(message);
      if (decoded.ok) {
        valid.push({ event: decoded.event, topic: message.topic });
        outcomes.push({ kind: 'ok' });
      } else {
        this.metrics.eventsRejected.inc({ topic: message.topic });
        outcomes.push({ kind: 'invalid', reason: decoded.reason, errors: decoded.errors });
      }
    }
    await this.append(valid.map(({ event, topic }) => ({ event, channel: topic })));
    return outcomes;
  }

  /** `POST /ais/nmea`: raw sentences, one per line, decoded and appended like any other event. */
  async ingestNmeaText(
    text: string,
    receivedAtMs: number,
    station?: string,
    authorize?: WriteAuthorizer,
  ): Promise<HttpIntakeResult> {
    const decoded = decodeNmeaLines(new NmeaDecoder({ station }), text, receivedAtMs, station);
    if (!decoded.ok) {
      this.metrics.eventsRejected.inc({ topic: 'http' });
      return {
        ok: false,
        kind: 'invalid',
        errors: [{ index: -1, reason: decoded.reason, errors: decoded.errors }],
      };
    }
    return this.appendAuthorized(decoded.events, authorize);
  }

  /** Raw NMEA on the AIS topic (feeds that only speak NMEA); undefined when the message is not NMEA. */
  private decodeNmeaMessage(message: InboundMessage) {
    if (message.topic !== Topics.positions || !message.value) return undefined;
    const text = message.value.toString('utf8');
    if (!looksLikeNmea(text)) return undefined;
    const key = `${message.topic}/${message.partition}`;
    let decoder = this.nmeaDecoders.get(key);
    if (!decoder) this.nmeaDecoders.set(key, (decoder = new NmeaDecoder()));
    return decodeNmeaLines(decoder, text, message.timestamp, message.headers['x-ais-station']);
  }

  /**
   * Appends in the order received: consecutive events of one stream become one write, and all writes go
   * in one call, so the store's global order is the arrival order (the embedded store: one transaction).
   */
  private async append(events: ReadonlyArray<{ event: AidEvent; channel: string }>): Promise<void> {
    if (events.length === 0) return;
    const writes: StreamWrite[] = [];
    for (const { event, channel } of events) {
      const streamId = streamOf(event);
      const stored: NewEvent = {
        id: storeEventId(event),
        type: event.type,
        data: event,
        metadata: { channel },
      };
      const last = writes.at(-1);
      if (last?.streamId === streamId) last.events.push(stored);
      else writes.push({ streamId, events: [stored], expected: 'any' });
    }
    const end = this.metrics.appendSeconds.startTimer();
    const results = await this.store.appendMany(writes);
    end();
    const appended = results.reduce((sum, r) => sum + r.appended, 0);
    this.metrics.appends.inc({ outcome: 'new' }, appended);
    this.metrics.appends.inc({ outcome: 'duplicate' }, events.length - appended);
    for (const { event, channel } of events)
      this.metrics.eventsIngested.inc({ topic: channel, type: event.type });
  }
}
