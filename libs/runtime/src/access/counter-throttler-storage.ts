import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { counterKeyOf, type RateCounters } from './rate-counters';

/** What `ThrottlerStorage.increment` answers (`@nestjs/throttler`'s `ThrottlerStorageRecord`; times in seconds). */
interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * `@nestjs/throttler`'s storage on the deployment's rate counters (`RateCounters`): with `EVENT_STORE=postgres`
 * every API and ingestor replica counts a credential's requests (`RATE_LIMIT_REQUESTS` per
 * `RATE_LIMIT_WINDOW_SEC`) against one budget, as the per-organisation limits do, instead of each process
 * granting the whole budget again. Fixed windows (rate-limiter-flexible); a request over the limit is counted
 * too and blocked until its window ends (`timeToBlockExpire`, the `Retry-After` the guard sends).
 */
export class CounterThrottlerStorage implements ThrottlerStorage {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly counters: RateCounters) {}

  /** Counts one hit of `key` in a window of `ttl` ms allowing `limit` hits. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    const durationSec = Math.max(1, Math.ceil(ttl / 1000));
    const family = `requests-${throttlerName}-${limit}-${durationSec}`;
    let limiter = this.limiters.get(family);
    if (limiter === undefined) {
      limiter = this.counters.limiter(family, limit, durationSec);
      this.limiters.set(family, limiter);
    }
    // `penalty` counts without refusing: the guard judges `isBlocked` itself.
    const res = await limiter.penalty(counterKeyOf(key), 1);
    const timeToExpire = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    const isBlocked = res.consumedPoints > limit;
    return {
      totalHits: res.consumedPoints,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }
}
