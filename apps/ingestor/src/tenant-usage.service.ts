import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type Position, type Subscription } from '@aidwatch/event-store';
import type { Logger } from '@aidwatch/observability';
import { TenantUsage } from '@aidwatch/projections';
import { LOGGER } from '@aidwatch/runtime';

/**
 * Keeps `TenantUsage` folded from the store (a catch-up subscription of its own, from the start at each
 * process start, so every ingestor sharing a store judges alike): the flag records and stored events each
 * organisation holds, for `LIMIT_TENANT_FLAGS` and `LIMIT_TENANT_STORED_EVENTS`. Until its first catch-up
 * (nothing of the kinds it counts left unread in the store) its counts are incomplete: `whenCounted` says when
 * they are whole, so a quota is never judged on half of what an organisation holds after a restart.
 */
@Injectable()
export class TenantUsageService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly counts = new TenantUsage();
  private subscription: Subscription | undefined;
  private after: Position | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private counted = false;
  private readonly countedOnce: Promise<void>;
  private markCounted!: () => void;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.countedOnce = new Promise((resolve) => (this.markCounted = resolve));
  }

  /**
   * Whether the counts are whole (the first catch-up is done), waiting up to `timeoutMs` for it: false when it
   * is not done by then.
   */
  async whenCounted(timeoutMs: number): Promise<boolean> {
    if (this.counted) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([this.countedOnce.then(() => true as const), late]);
    clearTimeout(timer);
    return done;
  }

  /** Flag records counted for `organisation` so far (see `TenantUsage`). */
  flagsOf(organisation: string): number {
    return this.counts.flagsOf(organisation);
  }

  /** The most of `organisation`'s consignments aboard (or bound for) vessel `mmsi` at once (see `TenantUsage`). */
  consignmentsAboard(organisation: string, mmsi: string): number {
    return this.counts.consignmentsAboard(organisation, mmsi);
  }

  /** Whether the consignment already counts as aboard (or bound for) vessel `mmsi` (see `TenantUsage`). */
  countsAboard(consignmentId: string, mmsi: string): boolean {
    return this.counts.countsAboard(consignmentId, mmsi);
  }

  /** How many of the consignment's carriage events were counted so far (see `TenantUsage`). */
  carriageEventsOf(consignmentId: string): number {
    return this.counts.carriageEventsOf(consignmentId);
  }

  /** The vessel the consignment's registration in force names (see `TenantUsage`). */
  registeredVesselOf(consignmentId: string): string | undefined {
    return this.counts.registeredVesselOf(consignmentId);
  }

  /** Events of `organisation`'s consignments stored so far. */
  eventsOf(organisation: string): number {
    return this.counts.eventsOf(organisation);
  }

  onApplicationBootstrap(): void {
    void this.follow();
    void this.untilCounted();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.subscription?.close();
  }

  /** Marks the counts whole once the store holds nothing they count beyond what was folded (probed every 50 ms). */
  private async untilCounted(): Promise<void> {
    while (!this.stopped) {
      try {
        const [unread] = await this.store.readAll({
          ...(this.after !== undefined && { after: this.after }),
          maxCount: 1,
          filter: TenantUsage.filter,
        });
        if (!unread) {
          this.counted = true;
          this.markCounted();
          return;
        }
      } catch {
        // The store did not answer: the follower logs it; probe again.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
