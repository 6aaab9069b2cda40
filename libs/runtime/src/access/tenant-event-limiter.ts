import { HttpStatus } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/http-errors';

/** What one organisation may send over HTTP and hold (see `TenantEventLimiter`). */
export interface TenantLimits {
  /** Events per window (`LIMIT_TENANT_EVENTS`). */
  perWindow: number;
  windowMs: number;
  /** Item lines (`data.items` entries) per window (`LIMIT_TENANT_ITEM_LINES`); 0: not limited. */
  itemLinesPerWindow?: number;
  /** Flag records the organisation may hold before its writes are refused (`LIMIT_TENANT_FLAGS`); 0: none. */
  flags?: number;
  /** Events of its consignments stored before its writes are refused (`LIMIT_TENANT_STORED_EVENTS`); 0: none. */
  storedEvents?: number;
}

/** What each organisation holds (`TenantUsage` of `@aidwatch/projections`, folded from the store). */
export interface TenantUsageCounts {
  flagsOf(organisation: string): number;
  eventsOf(organisation: string): number;
}

/** What one request would add: its events and their item lines. */
export interface TenantLoad {
  events: number;
  itemLines?: number;
}

/**
 * Per-organisation limits on HTTP intake, so one organisation cannot flood the shared store, detection and
 * alert book for the others (per-tenant limits of multi-tenant monitoring: Mimir's `ingestion_rate`, and its
 * Alertmanager's `max_alerts_count`). Producers of no organisation (the deployment's own feeds) are not
 * counted. Counted per ingestor process.
 * - Events a window (`LIMIT_TENANT_EVENTS` per `LIMIT_TENANT_EVENTS_WINDOW_SEC`) and item lines a window
 *   (`LIMIT_TENANT_ITEM_LINES`: detection's work and the flags an event can raise grow with its lines, a
 *   registration of 50 lines outside its exemption raising 21 `item-not-exempt` flags), each with
 *   `rate-limiter-flexible` in memory, fixed window. A request that would go over either is a 429 with
 *   `Retry-After`, refused whole, and counts for nothing; one carrying more lines than a window allows is a
 *   413 (it could never pass).
 * - What it holds (`LIMIT_TENANT_FLAGS`, `LIMIT_TENANT_STORED_EVENTS`): once the organisation holds that many
 *   flag records or stored events (`usage`), its writes are a 403 until an operator raises the limit: the
 *   read model, the alert book and detection keep every consignment's facts and every flag in memory, so
 *   these are the deployment's memory.
 */
export class TenantEventLimiter {
  private readonly events: RateLimiterMemory;
  private readonly lines: RateLimiterMemory | undefined;

  constructor(
    private readonly settings: TenantLimits,
    private readonly usage?: TenantUsageCounts,
  ) {
    const duration = Math.max(1, Math.ceil(settings.windowMs / 1000));
    this.events = new RateLimiterMemory({ points: settings.perWindow, duration });
    if (settings.itemLinesPerWindow)
      this.lines = new RateLimiterMemory({ points: settings.itemLinesPerWindow, duration });
  }

  /**
   * Counts `load` for `tenant` (undefined: not counted). Throws ApiError 403 when the organisation holds its
   * `LIMIT_TENANT_FLAGS`, 413 when it carries more item lines than a window allows, or 429 — after setting `Retry-After` (seconds) on `res` — when the load would take
   * it over a rate; nothing is counted then.
   */
  async admit(
    tenant: string | undefined,
    load: number | TenantLoad,
    res: { setHeader(name: string, value: string): unknown },
  ): Promise<void> {
    const { events, itemLines = 0 } = typeof load === 'number' ? { events: load } : load;
    if (tenant === undefined || events <= 0) return;
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
    const linesPerWindow = this.settings.itemLinesPerWindow ?? 0;
    if (linesPerWindow > 0 && itemLines > linesPerWindow)
      throw new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'too many item lines in one request; nothing was accepted',
        [
          {
            field: 'body',
            message: `a request may carry at most ${linesPerWindow} item lines (LIMIT_TENANT_ITEM_LINES); it has ${itemLines}: send the events in smaller batches`,
          },
        ],
      );
    // rate-limiter-flexible counts a refused consume too: every limiter tried is given back on refusal.
    const tried: Array<[RateLimiterMemory, number]> = [];
    try {
      tried.push([this.events, events]);
      await this.events.consume(tenant, events);
      if (this.lines && itemLines > 0) {
        tried.push([this.lines, itemLines]);
        await this.lines.consume(tenant, itemLines);
      }
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // Refused whole: what it would have added is given back, so a retry after the wait is judged afresh.
      for (const [limiter, points] of tried) await limiter.reward(tenant, points);
      const lines = tried.length > 1;
      const waitSec = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(waitSec));
      const windowSec = Math.round(this.settings.windowMs / 1000);
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        `too many ${lines ? 'item lines' : 'events'} for this credential's organisation; nothing was accepted`,
        [
          {
            field: 'body',
            message: lines
              ? `an organisation may send at most ${this.settings.itemLinesPerWindow} item lines in ${windowSec} s (LIMIT_TENANT_ITEM_LINES); this request has ${itemLines}; retry after ${waitSec} s`
              : `an organisation may send at most ${this.settings.perWindow} events in ${windowSec} s (LIMIT_TENANT_EVENTS); retry after ${waitSec} s`,
          },
        ],
      );
    }
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

/**
 * Item lines the events of a request carry: the entries of each event's `data.items` (events as
 * `httpBodyEvents` of `@aidwatch/domain` reads the body: binary mode, one event whose data is the body).
 * Counted before validation, as sent; anything else counts 0.
 */
export function itemLinesOf(events: readonly unknown[]): number {
  let lines = 0;
  for (const event of events) {
    const items = (event as { data?: { items?: unknown } } | null)?.data?.items;
    if (Array.isArray(items)) lines += items.length;
  }
  return lines;
}
