import {
  storedFormOf,
  type AppendResult,
  type EventStore,
  type LayeredEventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamWrite,
  type SubscribeOptions,
  type Subscription,
} from '@aidwatch/event-store';
import { isForgottenSeal, isSealed, type PersonalDataCipher } from './personal-data-cipher';
import { personalFields, subjectOf } from './personal-fields';

type Payload = { data?: Record<string, unknown> } & Record<string, unknown>;

/**
 * The event store with personal data encrypted per data subject (personal-fields.ts): appends seal those
 * fields before they reach the log, reads open them again, or show `[forgotten]` once `aidwatch forget`
 * destroyed the subject's key. The log, and so its hash chain, only ever holds the sealed form: verify and
 * export read the store as stored (`storedFormOf`).
 */
export class ProtectedEventStore implements LayeredEventStore {
  readonly name: string;

  constructor(
    readonly sealedStore: EventStore,
    private readonly cipher: PersonalDataCipher,
  ) {
    this.name = sealedStore.name;
  }

  get storedForm(): EventStore {
    return this.sealedStore;
  }

  append(streamId: string, events: NewEvent[], expected?: ExpectedRevision): Promise<AppendResult> {
    return this.sealedStore.append(
      streamId,
      events.map((e) => this.seal(e)),
      expected,
    );
  }

  appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    return this.sealedStore.appendMany(
      writes.map((w) => {
        const events = w.events.map((e) => this.seal(e));
        // A forgotten subject's value can no longer be sealed as it was stored, so a repeat of an event naming
        // one cannot be byte-identical: it is taken as a repeat by its id, its content not compared.
        const forgotten = events.some((e) => this.namesForgotten(e));
        return { ...w, events, ...(forgotten && w.rejectChangedRepeats && { rejectChangedRepeats: false }) };
      }),
    );
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.sealedStore.readStream(streamId, options)).map((e) => this.open(e));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return (await this.sealedStore.readAll(options)).map((e) => this.open(e));
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    const inner = this.sealedStore.subscribeToAll(options);
    const open = (e: StoredEvent) => this.open(e);
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) yield open(event);
      },
    };
  }

  headPosition(): Promise<Position | null> {
    return this.sealedStore.headPosition();
  }

  async close(): Promise<void> {
    await this.sealedStore.close();
    this.cipher.close();
  }

  private seal(event: NewEvent): NewEvent {
    const fields = personalFields[event.type];
    const payload = event.data as Payload | undefined;
    if (!fields || !payload?.data) return event;
    const data = { ...payload.data };
    for (const { field, kind } of fields) {
      const value = data[field];
      if (typeof value === 'string' && !isSealed(value))
        data[field] = this.cipher.seal(subjectOf(kind, value), value);
    }
    return { ...event, data: { ...payload, data } };
  }

  /** Whether a sealed event carries a value of a forgotten subject (sealed without its ciphertext). */
  private namesForgotten(event: NewEvent): boolean {
    const fields = personalFields[event.type];
    const data = (event.data as Payload | undefined)?.data;
    return !!fields && !!data && fields.some(({ field }) => isForgottenSeal(data[field]));
  }

  private open(event: StoredEvent): StoredEvent {
    const fields = personalFields[event.type];
    const payload = event.data as Payload | undefined;
    if (!fields || !payload?.data) return event;
    const data = { ...payload.data };
    for (const { field } of fields) if (isSealed(data[field])) data[field] = this.cipher.open(data[field]);
    return { ...event, data: { ...payload, data } };
  }
}

/** The store as the log holds it (sealed personal data, events as stored): what hashes, verification and export need. */
export const sealedStoreOf = (store: EventStore): EventStore => storedFormOf(store);
