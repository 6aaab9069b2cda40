import { HttpStatus } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/http-errors';

/**
 * Events one organisation's credentials together may send over HTTP in each window (`rate-limiter-flexible`,
 * in memory, fixed window; `LIMIT_TENANT_EVENTS` per `LIMIT_TENANT_EVENTS_WINDOW_SEC`), so one organisation
 * cannot flood the shared store, detection and alert book for the others — the per-tenant ingestion limit of
 * multi-tenant monitoring (Mimir's `ingestion_rate`). Counted per ingestor process. A request that would go
 * over is refused whole and counts for nothing; producers of no organisation (the deployment's own feeds) are
 * not counted.
 */
export class TenantEventLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly settings: { perWindow: number; windowMs: number }) {
    this.limiter = new RateLimiterMemory({
      points: settings.perWindow,
      duration: Math.max(1, Math.ceil(settings.windowMs / 1000)),
    });
  }

  /**
   * Counts `events` for `tenant` (undefined: not counted). Throws ApiError 429 — after setting `Retry-After`
   * (seconds) on `res` — when they would take the organisation over its limit; nothing is counted then.
   */
  async admit(
    tenant: string | undefined,
    events: number,
    res: { setHeader(name: string, value: string): unknown },
  ): Promise<void> {
    if (tenant === undefined || events <= 0) return;
    try {
      await this.limiter.consume(tenant, events);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // Refused whole: what it would have added is given back, so a retry after the wait is judged afresh.
      await this.limiter.reward(tenant, events);
      const waitSec = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(waitSec));
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        "too many events for this credential's organisation; nothing was accepted",
        [
          {
            field: 'body',
            message: `an organisation may send at most ${this.settings.perWindow} events in ${Math.round(this.settings.windowMs / 1000)} s (LIMIT_TENANT_EVENTS); retry after ${waitSec} s`,
          },
        ],
      );
    }
  }
}
