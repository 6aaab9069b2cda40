import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { counterKeyOf, ProcessRateCounters, type RateCounters } from './rate-counters';

/**
 * Counts refused credentials per client address (`rate-limiter-flexible`, fixed window, in `counters`: shared
 * by every process with `EVENT_STORE=postgres`, else in this process's memory): at
 * most `perAddress` in each `windowMs`. Once an address is over, each further refused credential from it
 * is answered 429 (not 401) until the window ends; a valid credential from the same address is still
 * accepted, so one party's failures never lock out others behind the same NAT or proxy. Requests without a
 * credential are not counted (they learn nothing).
 */
export class FailedCredentialLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly settings: { perAddress: number; windowMs: number },
    counters: RateCounters = new ProcessRateCounters(),
  ) {
    this.limiter = counters.limiter(
      'failed-credentials',
      settings.perAddress,
      Math.max(1, Math.ceil(settings.windowMs / 1000)),
    );
  }

  /** Milliseconds until `address` may try again, or 0 when it may try now. */
  async blockedForMs(address: string): Promise<number> {
    const state = await this.limiter.get(counterKeyOf(address));
    return state !== null && state.consumedPoints >= this.settings.perAddress
      ? Math.max(1, state.msBeforeNext)
      : 0;
  }

  /** Counts one refused credential from `address`. */
  async failed(address: string): Promise<void> {
    try {
      await this.limiter.consume(counterKeyOf(address));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // Already over the limit: the next attempt is refused by blockedForMs.
    }
  }
}
