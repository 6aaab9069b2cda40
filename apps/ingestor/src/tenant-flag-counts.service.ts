import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type Position, type Subscription } from '@aidwatch/event-store';
import type { Logger } from '@aidwatch/observability';
import { TenantFlagCounts } from '@aidwatch/projections';
import { LOGGER } from '@aidwatch/runtime';

/**
 * Keeps `TenantFlagCounts` folded from the store (a catch-up subscription of its own, from the start at each
 * process start, so every ingestor sharing a store judges alike): the flag records each organisation has been
 * shown, for `LIMIT_TENANT_FLAGS`. Until its first catch-up it counts what it has read so far.
 */
@Injectable()
export class TenantFlagCountsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly counts = new TenantFlagCounts();
  private subscription: Subscription | undefined;
  private after: Position | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Flag records `organisation` holds so far (see `TenantFlagCounts`). */
  countOf(organisation: string): number {
    return this.counts.countOf(organisation);
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
        filter: TenantFlagCounts.filter,
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
