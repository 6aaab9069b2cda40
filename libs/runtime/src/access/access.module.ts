import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import {
  Authenticator,
  createApiKeyStore,
  JwtVerifier,
  StoreTenantLookup,
  type ApiKeyStore,
} from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AccessGuard } from './access.guard';
import { FailedCredentialLimiter } from './failed-credential-limiter';
import { CredentialThrottlerGuard } from './credential-throttler.guard';
import { CounterThrottlerStorage } from './counter-throttler-storage';
import { createRateCounters, type RateCounters } from './rate-counters';

export const API_KEY_STORE = Symbol('API_KEY_STORE');
/** The deployment's rate counters (`RateCounters`): shared in PostgreSQL with `EVENT_STORE=postgres`. */
export const RATE_COUNTERS = Symbol('RATE_COUNTERS');
export { createApiKeyStore };

/** Credentials (API keys, identity-provider JWTs), the global access and rate-limit guards, the tenant lookup. */
@Global()
@Module({})
export class AccessModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig): DynamicModule {
    // One set of counters for the request throttler and the organisations' limits (shared in PostgreSQL).
    const counters = createRateCounters(config);
    return {
      module: AccessModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.http.rateLimit.windowMs, limit: config.http.rateLimit.requests }],
          storage: new CounterThrottlerStorage(counters),
        }),
      ],
      providers: [
        { provide: API_KEY_STORE, useFactory: () => createApiKeyStore(config) },
        { provide: RATE_COUNTERS, useValue: counters },
        {
          provide: Authenticator,
          inject: [API_KEY_STORE],
          useFactory: (keys: ApiKeyStore) =>
            new Authenticator(keys, config.access.jwt ? new JwtVerifier(config.access.jwt) : undefined),
        },
        {
          provide: StoreTenantLookup,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) => new StoreTenantLookup(store),
        },
        {
          provide: FailedCredentialLimiter,
          inject: [RATE_COUNTERS],
          useFactory: (counters: RateCounters) =>
            new FailedCredentialLimiter(config.http.authFailures, counters),
        },
        // In this order: the throttler counts per credential, so it runs once the access guard named it.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: CredentialThrottlerGuard },
      ],
      exports: [API_KEY_STORE, RATE_COUNTERS, Authenticator, StoreTenantLookup],
    };
  }

  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(RATE_COUNTERS) private readonly counters: RateCounters,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.keys.close();
    await this.counters.close();
  }
}
