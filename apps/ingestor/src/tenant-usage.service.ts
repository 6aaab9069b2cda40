import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type Position, type Subscription } from '@aidwatch/event-store';
import type { Logger } from '@aidwatch/observability';
import { TenantUsage } from '@aidwatch/projections';
import { LOGGER } from '@aidwatch/runtime';

/**
 * Keeps `TenantUsage` folded from the store (a catch-up subscription of its own, from the start at each
 * process start, so every ingestor sharing a store judges alike): the flag records and stored events each
 * organisation holds, for `LIMIT_TENANT_FLAGS` and `LIMIT_TENANT_STORED_EVENTS`. Until its first catch-up it
 * counts what it has read so far.
 */
@Injectable()
export class TenantUsageService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly counts = new TenantUsage();
  private subscription: Subscription | undefined;
  private after: Position | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Flag records counted for `organisation` so far (see `TenantUsage`). */
  flagsOf(organisation: string): number {
    return this.counts.flagsOf(organisation);
  }

  /** Events of `organisation`'s consignments stored so far. */
  eventsOf(organisation: string): number {
    return this.counts.eventsOf(organisation);
  }

  onApplicationBootstrap(): void {
    void this.follow();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.subscription?.close();
  }

  private async follow(): Promise<void> {
    if (this.stopped) return;
    try {
      this.subscription = this.store.subscribeToAll({
        ...(this.after !== undefined && { after: this.after }),
        filter: TenantUsage.filter,
      });
      for await (const stored of this.subscription) {
        this.counts.apply(stored);
        this.after = stored.position;
      }
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'tenant flag counts: reading the store failed; trying again in 1 s');
      this.retry = setTimeout(() => void this.follow(), 1000);
    }
  }
}
