import { randomUUID } from 'node:crypto';
import {
  AlertBook,
  AlertBookEventPrefixesWithoutPositions,
  alertLifecycleEvent,
  alertStream,
  ALERT_EVENT_PREFIX,
  ALERTS_SOURCE,
  decide,
  SILENCE_EVENT_PREFIX,
  silenceStream,
  SilenceEventTypes,
  silenceState,
  validateSilence,
  type Alert,
  type AlertCommand,
  type BookHead,
  type EventClassification,
  type GeoPoint,
  type Silence,
  type SilenceCreatedData,
  type SilenceExpiredData,
} from '@aidwatch/alerts';
import { EventTypes, familyPrefixOf, InternalEventTypes, type FlagRaised } from '@aidwatch/domain';
import { WrongExpectedRevisionError, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import type { CheckpointParts, Projection } from './projection';
import { vesselPositionAt } from './vessel-position.lookup';

/** The family of the flag types (`aidwatch.flag.`), every version: from their catalogue rows. */
const FLAG_EVENT_PREFIX = familyPrefixOf(EventTypes.FlagRaised);

/** A whole-book checkpoint (`snapshot`; also what checkpoints were before they were written in parts). */
interface AlertBookSnapshot {
  book: unknown;
  classified: Array<[string, EventClassification | null]>;
}

/** A checkpoint in parts as the runner restores it: `checkpointParts`' head and every entry saved. */
interface AlertBookParts {
  head: { book: BookHead };
  entries: Record<string, unknown>;
}

/** Key of an event's classification in a checkpoint in parts (value `{ c }`, `c` null: of no alert). */
const CLASSIFIED = 'k:';

/** Folds the store into the alert book and remembers how each flag and lifecycle event was classified. */
export class AlertBookProjection implements Projection {
  /**
   * v3: folds flags as `aidwatch.flag.raised.v2` (upcast), so a v2 snapshot holding v1 flags is rebuilt.
   * v4: a flag replacing its superseded predecessor is an update of one occurrence (history `updated`).
   */
  readonly name = 'alert-book-v4';
  readonly filter = { eventTypePrefixes: AlertBookEventPrefixesWithoutPositions };
  book = new AlertBook();
  /** Classification of every flag and lifecycle event folded (null: of no known alert). */
  private classified = new Map<string, EventClassification | null>();
  /** Events classified since the last checkpoint. */
  private readonly newlyClassified = new Set<string>();

  constructor(private readonly store: EventStore) {}
  /** Ids of recently folded events that have no classification (silences), for `classificationOf`. */
  private readonly recentlyApplied = new Set<string>();
  private readonly waiters = new Map<string, Array<(c: EventClassification | undefined) => void>>();

  async apply(stored: StoredEvent): Promise<void> {
    let vesselPosition: GeoPoint | undefined;
    if (stored.type === EventTypes.FlagRaised) {
      const flag = (stored.data as FlagRaised).data;
      const mmsi = this.book.vesselToLocate(flag);
      if (mmsi) vesselPosition = await vesselPositionAt(this.store, mmsi, flag.raisedAt);
    }
    const c = this.book.apply({ ...stored, vesselPosition }) ?? null;
    if (stored.type.startsWith(FLAG_EVENT_PREFIX) || stored.type.startsWith(ALERT_EVENT_PREFIX)) {
      this.classified.set(stored.id, c);
      this.newlyClassified.add(stored.id);
    } else if (stored.type.startsWith(SILENCE_EVENT_PREFIX)) this.rememberApplied(stored.id);
    const waiting = this.waiters.get(stored.id);
    if (waiting) {
      this.waiters.delete(stored.id);
      for (const resolve of waiting) resolve(c ?? undefined);
    }
  }

  /** The classification of a stored event, waiting (up to `timeoutMs`) for the fold to reach it. */
  async classificationOf(eventId: string, timeoutMs = 10_000): Promise<EventClassification | undefined> {
    const known = this.classified.get(eventId);
    if (known !== undefined || this.recentlyApplied.has(eventId)) return known ?? undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      const list = this.waiters.get(eventId) ?? [];
      list.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
      this.waiters.set(eventId, list);
    });
  }

  /** Whether the fold has passed this flag or lifecycle event (classified, possibly as of no alert). */
  folded(eventId: string): boolean {
    return this.classified.has(eventId);
  }

  private rememberApplied(id: string): void {
    this.recentlyApplied.add(id);
    if (this.recentlyApplied.size > 1000)
      this.recentlyApplied.delete(this.recentlyApplied.values().next().value!);
  }

  /** The whole book (a checkpoint saved whole: what changed starts afresh). */
  snapshot(): AlertBookSnapshot {
    this.book.takeChangedKeys();
    this.newlyClassified.clear();
    return { book: this.book.snapshot(), classified: [...this.classified] };
  }

  /**
   * The checkpoint in parts: the book's head, then each alert, silence, reference fact and classification
   * changed since the last checkpoint (all of them when asked), written by the runner a part at a time.
   */
  checkpointParts(all: boolean): CheckpointParts {
    const book = this.book;
    if (all) {
      book.markAllChanged();
      for (const id of this.classified.keys()) this.newlyClassified.add(id);
    }
    const keys = book.takeChangedKeys();
    for (const id of this.newlyClassified) keys.push(CLASSIFIED + id);
    this.newlyClassified.clear();
    const classified = this.classified;
    return {
      head: { book: book.head() },
      keys,
      entry: (key) => {
        if (!key.startsWith(CLASSIFIED)) return book.entry(key);
        const c = classified.get(key.slice(CLASSIFIED.length));
        return c === undefined ? undefined : { c };
      },
    };
  }

  /** From a checkpoint in parts, or a whole-book one written before them. */
  restore(snapshot: unknown): void {
    if ((snapshot as AlertBookParts).entries !== undefined) {
      const { head, entries } = snapshot as AlertBookParts;
      this.book = AlertBook.restoreParts(head.book, entries);
      this.classified = new Map();
      for (const [key, value] of Object.entries(entries))
        if (key.startsWith(CLASSIFIED) && value)
          this.classified.set(key.slice(CLASSIFIED.length), (value as { c: EventClassification | null }).c);
    } else {
      const s = snapshot as AlertBookSnapshot;
      this.book = AlertBook.restore(s.book);
      this.classified = new Map(s.classified);
    }
    this.newlyClassified.clear();
  }

  reset(): void {
    this.book = new AlertBook();
    this.classified.clear();
    this.newlyClassified.clear();
  }
}

export class UnknownAlertError extends Error {}
export class UnknownSilenceError extends Error {}

/** How many times a comment is appended when other actions on the same alert keep landing first. */
const COMMENT_APPEND_ATTEMPTS = 20;

/**
 * The alert use cases: actions decided on the alert book (`decide`) and appended as lifecycle events to the
 * alert's stream with its expected revision, so two people acting at once — on one API process or on two —
 * cannot both win (the second gets WrongExpectedRevisionError) — but comments, which depend on no state, are
 * appended after whatever landed first (up to `COMMENT_APPEND_ATTEMPTS` tries); silences as events of their
 * own stream.
 * Every process folds the same events into its own book (`AlertBookProjection`), so an action taken on one
 * API replica is seen on every other once its book has folded it. Each call resolves once this process's
 * book has folded what it appended.
 */
export class AlertDesk {
  constructor(
    private readonly store: EventStore,
    private readonly projection: AlertBookProjection,
  ) {}

  get book(): AlertBook {
    return this.projection.book;
  }

  /**
   * Decides and appends an action; resolves with the alert once the book has folded it. `organisation`:
   * the action is that organisation's on its own view of a shared alert (`AlertBook.viewOf`), decided on
   * that view and recorded with `organisation`; absent, it is on the alert itself.
   */
  async act(alertId: string, command: AlertCommand, organisation?: string): Promise<Alert> {
    const alert = this.book.get(alertId);
    if (!alert) throw new UnknownAlertError(`alert ${alertId} not found`);
    const decided = decide(
      organisation === undefined ? alert : this.book.viewOf(alert, organisation),
      command,
    );
    const { type } = decided;
    const data = organisation === undefined ? decided.data : { ...decided.data, organisation };
    const id = randomUUID();
    const event = {
      id,
      type,
      data: alertLifecycleEvent(id, type, data),
      metadata: { causation: 'alert-action' },
    };
    let expected: number | 'no_stream' =
      alert.lifecycleEvents === 0 ? 'no_stream' : alert.lifecycleEvents - 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.append(alertStream(alertId), [event], expected);
        break;
      } catch (error) {
        // A comment adds to the history whatever was added meanwhile (it depends on no state): it goes after
        // what the stream holds now. Any other action was decided on the alert as read, so it is a conflict.
        if (!(error instanceof WrongExpectedRevisionError) || command.kind !== 'comment') throw error;
        if (attempt >= COMMENT_APPEND_ATTEMPTS) throw error;
        expected = error.actual < 0 ? 'no_stream' : error.actual;
      }
    }
    await this.projection.classificationOf(id);
    return this.book.get(alertId)!;
  }

  /**
   * Validates and records a silence (`startsAt` defaults to `now`, ISO 8601). `reserve`, when given, is
   * called with the valid silence before it is stored; what it throws refuses the silence.
   */
  async createSilence(
    input: Omit<Silence, 'silenceId' | 'startsAt'> & { startsAt?: string },
    now: string,
    reserve?: (silence: Silence) => Promise<void>,
  ): Promise<Silence> {
    const silence: Silence = { ...input, silenceId: randomUUID(), startsAt: input.startsAt ?? now };
    validateSilence(silence, now);
    // E.g. a quota judged across processes (`SilenceQuota`): refuses by throwing, before anything is stored.
    await reserve?.(silence);
    const data: SilenceCreatedData = { ...silence, at: now };
    await this.appendSilenceEvent(silence.silenceId, SilenceEventTypes.Created, data, now);
    return silence;
  }

  /** Ends a silence now; UnknownSilenceError when the book has none of that id. */
  async expireSilence(silenceId: string, by: string, now: string): Promise<Silence> {
    if (!this.book.silence(silenceId)) throw new UnknownSilenceError(`silence ${silenceId} not found`);
    const data: SilenceExpiredData = { silenceId, by, at: now };
    await this.appendSilenceEvent(silenceId, SilenceEventTypes.Expired, data, now);
    return this.book.silence(silenceId)!;
  }

  private async appendSilenceEvent(
    silenceId: string,
    type: string,
    data: unknown,
    now: string,
  ): Promise<void> {
    const id = randomUUID();
    const event = {
      specversion: '1.0',
      id,
      source: ALERTS_SOURCE,
      type,
      subject: silenceId,
      time: now,
      datacontenttype: 'application/json',
      data,
    };
    await this.store.append(silenceStream(silenceId), [
      { id, type, data: event, metadata: { causation: 'silence' } },
    ]);
    await this.projection.classificationOf(id, 5_000);
  }
}

/** The stream of an organisation's silence reservations (`SilenceQuota`); operators' together as one. */
export const silenceQuotaStream = (tenant: string | undefined): string =>
  `quota-silences-${tenant === undefined ? '*' : encodeURIComponent(tenant)}`;

export const SilenceReservedType = InternalEventTypes.SilenceReserved;

export class SilenceQuotaExceededError extends Error {}

/** Times a reservation is tried again after a concurrent one won the stream's revision. */
const QUOTA_ATTEMPTS = 20;

/**
 * At most `limit` unexpired silences per organisation (`LIMIT_SILENCES_PER_TENANT`), held under concurrency
 * and across API processes sharing a store: every creation first appends a reservation
 * (`aidwatch.quota.silence-reserved.v1`: silenceId, endsAt) to the organisation's stream
 * `quota-silences-<organisation>` at the revision it counted from, so of two creations counting the same
 * reservations only one is stored; the other counts again (up to 20 times, then gives up as exceeded). A
 * reservation counts while its silence is unexpired: by the book when folded, else until its `endsAt`.
 */
export class SilenceQuota {
  /**
   * Per quota stream, the revision read up to and the reservations still counting then: a reservation whose
   * silence expired never counts again, so each creation reads only the stream's new tail (the memory held
   * is the unexpired silences, however long the stream).
   */
  private readonly seen = new Map<
    string,
    { revision: number; held: Array<{ silenceId: string; endsAt: string }> }
  >();

  constructor(
    private readonly store: EventStore,
    private readonly book: () => AlertBook,
  ) {}

  /** The reservations of `stream` still counting at `now`, and the stream's revision (-1: no stream). */
  private async held(
    stream: string,
    now: string,
  ): Promise<{ revision: number; held: Array<{ silenceId: string; endsAt: string }> }> {
    const known = this.seen.get(stream) ?? { revision: -1, held: [] };
    const tail = await this.store.readStream(stream, { fromRevision: known.revision + 1 });
    const reservations = [
      ...known.held,
      ...tail.map((e) => {
        const { silenceId, endsAt } = (e.data as { data: { silenceId: string; endsAt: string } }).data;
        return { silenceId, endsAt };
      }),
    ].filter(({ silenceId, endsAt }) => {
      const folded = this.book().silence(silenceId);
      return folded ? silenceState(folded, now) !== 'expired' : endsAt > now;
    });
    const revision = tail.length > 0 ? tail[tail.length - 1].revision : known.revision;
    this.seen.set(stream, { revision, held: reservations });
    return { revision, held: reservations };
  }

  async reserve(silence: Silence, limit: number, now: string): Promise<void> {
    const stream = silenceQuotaStream(silence.tenant);
    for (let attempt = 0; attempt < QUOTA_ATTEMPTS; attempt++) {
      const { revision, held } = await this.held(stream, now);
      if (held.length >= limit) throw new SilenceQuotaExceededError(`${held.length} unexpired silences held`);
      const id = randomUUID();
      const event = {
        specversion: '1.0',
        id,
        source: ALERTS_SOURCE,
        type: SilenceReservedType,
        subject: silence.silenceId,
        time: now,
        datacontenttype: 'application/json',
        data: { silenceId: silence.silenceId, endsAt: silence.endsAt, tenant: silence.tenant ?? null },
      };
      try {
        await this.store.append(
          stream,
          [{ id, type: SilenceReservedType, data: event, metadata: { causation: 'silence-quota' } }],
          revision < 0 ? 'no_stream' : revision,
        );
        this.seen.set(stream, {
          revision: revision + 1,
          held: [...held, { silenceId: silence.silenceId, endsAt: silence.endsAt }],
        });
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new SilenceQuotaExceededError('too many concurrent silence creations');
  }
}
