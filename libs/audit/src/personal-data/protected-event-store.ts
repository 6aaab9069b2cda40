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

  async append(streamId: string, events: NewEvent[], expected?: ExpectedRevision): Promise<AppendResult> {
    return this.sealedStore.append(streamId, await this.seal(events), expected);
  }

  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    const sealed = await this.seal(writes.flatMap((w) => w.events));
    let next = 0;
    return this.sealedStore.appendMany(
      writes.map((w) => {
        const events = sealed.slice(next, (next += w.events.length));
        // A forgotten subject's value can no longer be sealed as it was stored, so a repeat of an event naming
        // one cannot be byte-identical: it is taken as a repeat by its id, its content not compared.
        const forgotten = events.some((e) => this.namesForgotten(e));
        return { ...w, events, ...(forgotten && w.rejectChangedRepeats && { rejectChangedRepeats: false }) };
      }),
    );
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.open(await this.sealedStore.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.open(await this.sealedStore.readAll(options));
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    const inner = this.sealedStore.subscribeToAll(options);
    const open = (e: StoredEvent) => this.open([e]);
    const personal = (e: StoredEvent) => personalFields[e.type] !== undefined;
    const openAll = (events: StoredEvent[]) => this.open(events);
    const innerPages = inner.pages?.bind(inner);
    return {
      close: () => inner.close(),
      settledPosition: () => inner.settledPosition?.(),
      isClosed: () => inner.isClosed?.() ?? false,
      ...(innerPages && {
        async *pages() {
          // A page with personal fields waits for its keys, all in one request.
          for await (const page of innerPages()) yield page.some(personal) ? await openAll([...page]) : page;
        },
      }),
      async *[Symbol.asyncIterator]() {
        // Only events with personal fields wait for their keys.
        for await (const event of inner) yield personal(event) ? (await open(event))[0] : event;
      },
    };
  }

  headPosition(): Promise<Position | null> {
    return this.sealedStore.headPosition();
  }

  async close(): Promise<void> {
    await this.sealedStore.close();
    await this.cipher.close();
  }

  /** The events with their personal fields sealed (one key store request for all of them). */
  private async seal(events: readonly NewEvent[]): Promise<NewEvent[]> {
    const places: Array<{ event: number; field: string; subject: string; value: string }> = [];
    events.forEach((event, index) => {
      const data = (event.data as Payload | undefined)?.data;
      for (const { field, kind } of personalFields[event.type] ?? []) {
        const value = data?.[field];
        if (typeof value === 'string' && !isSealed(value))
          places.push({ event: index, field, subject: subjectOf(kind, value), value });
      }
    });
    if (places.length === 0) return [...events];
    const sealed = await this.cipher.sealAll(places);
    const out = [...events];
    places.forEach((place, i) => {
      const event = out[place.event];
      const payload = event.data as Payload;
      out[place.event] = {
        ...event,
        data: { ...payload, data: { ...payload.data, [place.field]: sealed[i] } },
      };
    });
    return out;
  }

  /** Whether a sealed event carries a value of a forgotten subject (sealed without its ciphertext). */
  private namesForgotten(event: NewEvent): boolean {
    const fields = personalFields[event.type];
    const data = (event.data as Payload | undefined)?.data;
    return !!fields && !!data && fields.some(({ field }) => isForgottenSeal(data[field]));
  }

  /** The events with their personal fields opened (one key store request for all of them). */
  private async open(events: StoredEvent[]): Promise<StoredEvent[]> {
    const places: Array<{ event: number; field: string; value: string }> = [];
    events.forEach((event, index) => {
      const data = (event.data as Payload | undefined)?.data;
      for (const { field } of personalFields[event.type] ?? []) {
        const value = data?.[field];
        if (isSealed(value)) places.push({ event: index, field, value });
      }
    });
    if (places.length === 0) return events;
    const opened = await this.cipher.openAll(places.map((place) => place.value));
    const out = [...events];
    places.forEach((place, i) => {
      const event = out[place.event];
      const payload = event.data as Payload;
      out[place.event] = {
        ...event,
        data: { ...payload, data: { ...payload.data, [place.field]: opened[i] } },
      };
    });
    return out;
  }
}

/** The store as the log holds it (sealed personal data, events as stored): what hashes, verification and export need. */
export const sealedStoreOf = (store: EventStore): EventStore => storedFormOf(store);
