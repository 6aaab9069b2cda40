import { HttpStatus } from '@nestjs/common';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AboardEventKinds, listEntriesOf } from '@aidwatch/domain';
import { carrierNamedBy } from '@aidwatch/projections';
import { ApiError } from '../http/http-errors';
import { counterKeyOf, ProcessRateCounters, type RateCounters } from './rate-counters';

/** What one organisation may send over HTTP and hold (see `TenantEventLimiter`). */
export interface TenantLimits {
  /** Events per window (`LIMIT_TENANT_EVENTS`). */
  perWindow: number;
  windowMs: number;
  /** Lines (`listEntriesOf` events' data) per window (`LIMIT_TENANT_ITEM_LINES`); 0: not limited. */
  itemLinesPerWindow?: number;
  /** Flag records the organisation may hold before its writes are refused (`LIMIT_TENANT_FLAGS`); 0: none. */
  flags?: number;
  /** Events of its consignments stored before its writes are refused (`LIMIT_TENANT_STORED_EVENTS`); 0: none. */
  storedEvents?: number;
  /** Largest event (as JSON) one of its credentials may write (`LIMIT_TENANT_EVENT_BYTES`); 0: no limit. */
  eventBytes?: number;
  /** Its consignments aboard (or bound for) one vessel at once (`LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL`); 0: none. */
  consignmentsPerVessel?: number;
}

/** What each organisation holds (`TenantUsage` of `@aidwatch/projections`, folded from the store). */
export interface TenantUsageCounts {
  flagsOf(organisation: string): number;
  eventsOf(organisation: string): number;
  /** Whether the counts are whole (after a restart they are folded again), waiting up to `timeoutMs`. */
  whenCounted?(timeoutMs: number): Promise<boolean>;
  /** The most of the organisation's consignments aboard (or bound for) vessel `mmsi` at one moment. */
  consignmentsAboard?(organisation: string, mmsi: string): number;
  /** Whether the consignment already counts as aboard (or bound for) vessel `mmsi` now: naming it adds no one. */
  countsAboard?(consignmentId: string, mmsi: string): boolean;
  /** How many of the consignment's carriage events were counted so far: grows once a request about it is. */
  carriageEventsOf?(consignmentId: string): number;
  /** The vessel the consignment's registration in force names, if any (where a departure without a load puts it). */
  registeredVesselOf?(consignmentId: string): string | undefined;
}

/**
 * How long (ms) a place on a vessel stays reserved for a consignment of an admitted request the usage counts
 * have not folded yet (they fold within a second when the store keeps up); it lapses sooner once counted.
 */
const RESERVATION_MS = 5 * 60_000;

/** How long (ms) a request waits for the quota counts to be whole after a restart before it is a 429. */
const USAGE_WAIT_MS = 5000;

/**
 * Per-organisation limits on HTTP intake, so one organisation cannot flood the shared store, detection and
 * alert book for the others (per-tenant limits of multi-tenant monitoring: Mimir's `ingestion_rate`, and its
 * Alertmanager's `max_alerts_count`). Producers of no organisation (the deployment's own feeds) are not
 * counted. Rates are counted by `counters`: with `EVENT_STORE=postgres` in the database, one budget for every
 * ingestor replica; else in this process.
 * - Events a window (`LIMIT_TENANT_EVENTS` per `LIMIT_TENANT_EVENTS_WINDOW_SEC`; `admit`) and lines a window
 *   (`LIMIT_TENANT_ITEM_LINES`, `admitDecoded`: the entries of the lists in events' data; detection's work,
 *   memory and the flags an event can raise grow with them, a registration of 50 lines outside its exemption
 *   raising 21 `item-not-exempt` flags), each with
 *   `rate-limiter-flexible` in memory, fixed window. A request that would go over either is a 429 with
 *   `Retry-After`, refused whole, and counts for nothing; one carrying more lines than a window allows is a
 *   413 (it could never pass).
 * - What it holds (`LIMIT_TENANT_FLAGS`, `LIMIT_TENANT_STORED_EVENTS`): once the organisation holds that many
 *   flag records or stored events (`usage`; an event weighing one, and one per 2 KB of data), its writes are a 403 until an operator raises the limit: the
 *   read model, the alert book and detection keep every consignment's facts and every flag in memory, so
 *   these are the deployment's memory.
 */
export class TenantEventLimiter {
  private readonly events: RateLimiterAbstract;
  private readonly lines: RateLimiterAbstract | undefined;
  /**
   * `organisation` NUL `mmsi` → consignment → its reservation: joiners of requests admitted but not yet folded
   * into the usage counts, so requests sent at once cannot each see the vessel's old count. A place lapses once
   * the consignment's carriage events counted grow past `folded` (the usage counts have the request) or at
   * `until` (ms).
   */
  private readonly reserved = new Map<string, Map<string, { until: number; folded: number }>>();
  private admissions = 0;

  constructor(
    private readonly settings: TenantLimits,
    private readonly usage?: TenantUsageCounts,
    counters: RateCounters = new ProcessRateCounters(),
  ) {
    const duration = Math.max(1, Math.ceil(settings.windowMs / 1000));
    this.events = counters.limiter('tenant-events', settings.perWindow, duration);
    if (settings.itemLinesPerWindow)
      this.lines = counters.limiter('tenant-lines', settings.itemLinesPerWindow, duration);
  }

  /**
   * Counts a request's `events` for `tenant` (undefined: not counted), as sent, valid or not. Throws ApiError
   * 403 when the organisation holds its `LIMIT_TENANT_FLAGS` or `LIMIT_TENANT_STORED_EVENTS`, or 429 — after
   * setting `Retry-After` (seconds) on `res` — when they would take it over `LIMIT_TENANT_EVENTS`; nothing is
   * counted then. Their lines are counted once decoded (`admitDecoded`).
   */
  async admit(
    tenant: string | undefined,
    events: number,
    res: { setHeader(name: string, value: string): unknown },
  ): Promise<void> {
    if (tenant === undefined || events <= 0) return;
    await this.usageCounted(res);
    this.holds(
      tenant,
      'flag records',
      this.usage?.flagsOf(tenant),
      this.settings.flags,
      'LIMIT_TENANT_FLAGS',
    );
    this.holds(
      tenant,
      'stored events',
      this.usage?.eventsOf(tenant),
      this.settings.storedEvents,
      'LIMIT_TENANT_STORED_EVENTS',
    );
    await this.consumeOrRefuse(this.events, counterKeyOf(tenant), events, 0, res, (waitSec) => [
      "too many events for this credential's organisation; nothing was accepted",
      `an organisation may send at most ${this.settings.perWindow} events in ${this.windowSec} s (LIMIT_TENANT_EVENTS); retry after ${waitSec} s`,
    ]);
  }

  /**
   * Judges a request's events as they will be stored — decoded (`data_base64` too), validated and authorized,
   * however they were sent (a batch, binary mode, a field-intake form) — after `admit` counted its `counted`
   * events: each at most `LIMIT_TENANT_EVENT_BYTES` as JSON (else ApiError 413), and their lines
   * (`listEntriesOf`: the entries of every list an event's data carries — items, observed quantities,
   * evidence, route points) counted. Throws ApiError 413 when the lines are more than a window holds,
   * 429 (with `Retry-After` on `res`) when they would take the organisation over `LIMIT_TENANT_ITEM_LINES`;
   * nothing is counted then, the request's events included.
   */
  async admitDecoded(
    tenant: string | undefined,
    events: ReadonlyArray<{ type?: string; data?: unknown }>,
    counted: number,
    res: { setHeader(name: string, value: string): unknown },
  ): Promise<void> {
    if (tenant === undefined) return;
    const key = counterKeyOf(tenant);
    const giveBack = async () => {
      if (counted > 0) await this.events.reward(key, counted);
    };
    const crowded = this.crowdedVessel(tenant, events);
    if (crowded !== undefined) {
      await giveBack();
      throw new ApiError(
        HttpStatus.FORBIDDEN,
        "too many of this credential's organisation's consignments aboard one vessel; nothing was accepted",
        [
          {
            field: 'body',
            message: `vessel ${crowded.mmsi} would carry ${crowded.aboard} of the organisation's consignments at once; at most ${this.settings.consignmentsPerVessel} (LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL) — discharge or deliver some first, or an operator raises the limit`,
          },
        ],
      );
    }
    const maxBytes = this.settings.eventBytes ?? 0;
    if (maxBytes > 0)
      for (const [index, event] of events.entries()) {
        const bytes = JSON.stringify(event).length;
        if (bytes <= maxBytes) continue;
        await giveBack();
        throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'an event too large; nothing was accepted', [
          {
            field: `[${index}]`,
            message: `an organisation's event may be at most ${maxBytes} bytes as JSON (LIMIT_TENANT_EVENT_BYTES); it is ${bytes}`,
          },
        ]);
      }
    if (!this.lines) return;
    let lines = 0;
    for (const event of events) lines += listEntriesOf(event.data);
    if (lines === 0) return;
    const perWindow = this.settings.itemLinesPerWindow ?? 0;
    if (lines > perWindow) {
      await giveBack();
      throw new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'too many lines in one request; nothing was accepted',
        [
          {
            field: 'body',
            message: `a request may carry at most ${perWindow} lines (LIMIT_TENANT_ITEM_LINES: entries of the lists in events' data); it has ${lines}: send the events in smaller batches`,
          },
        ],
      );
    }
    await this.consumeOrRefuse(this.lines, key, lines, counted, res, (waitSec) => [
      "too many lines for this credential's organisation; nothing was accepted",
      `an organisation may send at most ${perWindow} lines in ${this.windowSec} s (LIMIT_TENANT_ITEM_LINES: entries of the lists in events' data); this request has ${lines}; retry after ${waitSec} s`,
    ]);
  }

  /**
   * The first vessel the request's registrations, loads and departures would put more than
   * `LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL` of the organisation's consignments aboard (or bound for), with that
   * count — the usage counts, the places reserved by requests admitted before and not yet counted, and this
   * request's joiners; undefined when none would, and then this request's joiners are reserved (for
   * `RESERVATION_MS` at most, until the usage counts have them).
   */
  private crowdedVessel(
    tenant: string,
    events: ReadonlyArray<{ type?: string; data?: unknown }>,
  ): { mmsi: string; aboard: number } | undefined {
    const limit = this.settings.consignmentsPerVessel ?? 0;
    const usage = this.usage;
    if (limit <= 0 || !usage?.consignmentsAboard || !usage.countsAboard) return undefined;
    const joining = new Map<string, Set<string>>();
    const registeredHere = new Map<string, string>();
    for (const event of events) {
      // The vessel it puts the consignment aboard or names as carrier: a registration's, a load's, the
      // registered vessel for a departure (detection takes a departure with no load as aboard it). Each
      // joiner is taken to be aboard at the busiest moment, which may count one twice but never misses one.
      const consignmentId = (event.data as { consignmentId?: unknown } | undefined)?.consignmentId;
      if (typeof consignmentId !== 'string') continue;
      const named = carrierNamedBy(event);
      // What its catalogue row says it does to the carriage (`carriage`).
      const kind = AboardEventKinds.get(event.type ?? '');
      if (kind === 'registered' && typeof named === 'string') registeredHere.set(consignmentId, named);
      const mmsi =
        kind === 'departed'
          ? (registeredHere.get(consignmentId) ?? usage.registeredVesselOf?.(consignmentId))
          : named;
      if (typeof mmsi !== 'string' || usage.countsAboard(consignmentId, mmsi)) continue;
      const set = joining.get(mmsi) ?? new Set<string>();
      set.add(consignmentId);
      joining.set(mmsi, set);
    }
    const now = Date.now();
    // Now and then, every vessel's reservations: those of vessels no request names again lapse too.
    if (++this.admissions % 1000 === 0)
      for (const key of [...this.reserved.keys()]) {
        const [org, vessel] = key.split('\u0000') as [string, string];
        this.reservedOn(org, vessel, now);
      }
    for (const [mmsi, joiners] of joining) {
      const reserved = this.reservedOn(tenant, mmsi, now);
      let adding = 0;
      for (const c of joiners) if (!reserved.has(c)) adding += 1;
      const aboard = usage.consignmentsAboard(tenant, mmsi) + reserved.size + adding;
      if (aboard > limit) return { mmsi, aboard };
    }
    // Admitted: hold the joiners' places until the usage counts have them.
    for (const [mmsi, joiners] of joining) {
      const reserved = this.reservedOn(tenant, mmsi, now);
      for (const c of joiners)
        reserved.set(c, { until: now + RESERVATION_MS, folded: usage.carriageEventsOf?.(c) ?? 0 });
      this.reserved.set(`${tenant}\u0000${mmsi}`, reserved);
    }
    return undefined;
  }

  /** The places reserved on vessel `mmsi` for `tenant` still pending: neither lapsed nor counted by now. */
  private reservedOn(
    tenant: string,
    mmsi: string,
    now: number,
  ): Map<string, { until: number; folded: number }> {
    const key = `${tenant}\u0000${mmsi}`;
    const reserved = this.reserved.get(key) ?? new Map<string, { until: number; folded: number }>();
    for (const [c, { until, folded }] of reserved)
      if (until <= now || (this.usage?.carriageEventsOf?.(c) ?? Number.POSITIVE_INFINITY) > folded)
        reserved.delete(c);
    if (reserved.size === 0) this.reserved.delete(key);
    return reserved;
  }

  private get windowSec(): number {
    return Math.round(this.settings.windowMs / 1000);
  }

  /**
   * Takes `points` from `limiter` for the organisation's counter `key`, or refuses the request whole: 429 with `Retry-After` on `res`,
   * the points given back (rate-limiter-flexible counts a refused consume too) and the request's `counted`
   * events with them, so a retry after the wait is judged afresh. `words(waitSec)`: the error and its detail.
   */
  private async consumeOrRefuse(
    limiter: RateLimiterAbstract,
    key: string,
    points: number,
    counted: number,
    res: { setHeader(name: string, value: string): unknown },
    words: (waitSec: number) => [error: string, detail: string],
  ): Promise<void> {
    try {
      await limiter.consume(key, points);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      await limiter.reward(key, points);
      if (counted > 0) await this.events.reward(key, counted);
      const waitSec = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(waitSec));
      const [message, detail] = words(waitSec);
      throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, message, [{ field: 'body', message: detail }]);
    }
  }

  /**
   * Waits (up to 5 s) for the quota counts to be whole after a restart; throws ApiError 429 with
   * `Retry-After` when they are not by then, so no write passes a quota judged on part of the store.
   */
  private async usageCounted(res: { setHeader(name: string, value: string): unknown }): Promise<void> {
    const { flags, storedEvents, consignmentsPerVessel } = this.settings;
    if (!(flags || storedEvents || consignmentsPerVessel) || !this.usage?.whenCounted) return;
    if (await this.usage.whenCounted(USAGE_WAIT_MS)) return;
    res.setHeader('Retry-After', '5');
    throw new ApiError(
      HttpStatus.TOO_MANY_REQUESTS,
      "this organisation's quotas are still being counted after a restart; nothing was accepted",
      [
        {
          field: 'body',
          message:
            'the ingestor folds what each organisation holds (LIMIT_TENANT_FLAGS, LIMIT_TENANT_STORED_EVENTS) from the store after it starts; retry after 5 s',
        },
      ],
    );
  }

  /** Throws ApiError 403 when `tenant` holds its quota of `what` (`held` of `quota`; 0 or unknown: none). */
  private holds(tenant: string, what: string, held: number | undefined, quota = 0, setting: string): void {
    if (quota <= 0 || held === undefined || held < quota) return;
    throw new ApiError(
      HttpStatus.FORBIDDEN,
      `this credential's organisation holds its quota of ${what}; nothing was accepted`,
      [
        {
          field: 'body',
          message: `the organisation holds ${held} ${what}, and may hold at most ${quota} (${setting}); an operator raises the limit`,
        },
      ],
    );
  }
}
