import { HttpStatus } from '@nestjs/common';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../http/http-errors';
import { counterKeyOf, ProcessRateCounters, type RateCounters } from './rate-counters';

/**
 * Actions on alerts (acknowledge, resolve, assign, comment) one organisation's credentials together take in a
 * window (`LIMIT_TENANT_ALERT_ACTIONS` per `LIMIT_TENANT_EVENTS_WINDOW_SEC`), counted by `rate-limiter-flexible`
 * in `counters` (shared by every API replica with `EVENT_STORE=postgres`). Each action is a stored event that
 * every process's alert book folds and that grows the alert's history: without it an organisation with many
 * credentials could comment on an alert it shares with another as fast as its credentials' request limits
 * add up, and slow the other's reads. Operators are not counted.
 */
export class TenantActionLimiter {
  private readonly limiter: RateLimiterAbstract | undefined;

  constructor(
    private readonly settings: { perWindow: number; windowMs: number },
    counters: RateCounters = new ProcessRateCounters(),
  ) {
    if (settings.perWindow > 0)
      this.limiter = counters.limiter(
        'tenant-alert-actions',
        settings.perWindow,
        Math.max(1, Math.ceil(settings.windowMs / 1000)),
      );
  }

  /**
   * Counts one action of `tenant` (undefined: an operator's, not counted). Throws ApiError 429 — after setting
   * `Retry-After` (seconds) on `res` — when the organisation has taken `LIMIT_TENANT_ALERT_ACTIONS` this window.
   */
  async admit(
    tenant: string | undefined,
    res: { setHeader(name: string, value: string): unknown },
  ): Promise<void> {
    if (tenant === undefined || this.limiter === undefined) return;
    try {
      await this.limiter.consume(counterKeyOf(tenant));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const waitSec = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(waitSec));
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        "too many alert actions for this credential's organisation; nothing was done",
        [
          {
            field: 'body',
            message: `an organisation may take at most ${this.settings.perWindow} actions on alerts in ${Math.round(this.settings.windowMs / 1000)} s (LIMIT_TENANT_ALERT_ACTIONS); retry after ${waitSec} s`,
          },
        ],
      );
    }
  }
}
