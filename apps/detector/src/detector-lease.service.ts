import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import type { AppConfig } from '@aidwatch/config';
import { FencedError, PostgresLease, type LeaseState } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';

/** Work only the active detector does: started on taking the lease, stopped on losing it or at shutdown. */
export interface LeasedActivity {
  name: string;
  /** The checkpoints (projection names) it writes: fenced with the lease while it runs. */
  checkpoints: readonly string[];
  start(): void | Promise<void>;
  /** `shutdown`: the process stops gracefully; `lost`: the lease went to another detector (or was not renewed). */
  stop(reason: 'shutdown' | 'lost'): Promise<void>;
}

export type DetectorRole = 'active' | 'standby';

/** The lease's name in `aidwatch_leases`. */
export const DETECTOR_LEASE = 'detector';

/**
 * One active detector, the others standing by (EVENT_STORE=postgres): the active one holds the `detector`
 * lease in PostgreSQL and renews it every quarter of DETECTOR_LEASE_TTL_MS; a standby tries to take it as
 * often, and succeeds once it has expired — within TTL + TTL/4 of the active one stopping (12.5 s by
 * default). Taking it fences the checkpoint store with the new generation, so a former leader (paused, cut
 * off) can no longer commit a checkpoint, then starts the detector's work (detection, alert relay, audit
 * checkpoints); losing it stops that work. An active detector that cannot reach the database for a whole
 * TTL steps down by itself. A graceful stop releases the lease, so a standby takes over at its next look.
 * Flag events need no fence: their ids derive from the flags, so a former leader's late appends repeat
 * what the new one writes and are ignored.
 *
 * On the embedded store (one machine, one detector) there is no lease: the detector is active at start.
 */
@Injectable()
export class DetectorLeaseService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly activities: LeasedActivity[] = [];
  private readonly lease: PostgresLease | undefined;
  private currentRole: DetectorRole = 'standby';
  private state: LeaseState | undefined;
  private lastRenewal = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly checkpoints: CheckpointStore,
    health: HealthRegistry,
    private readonly metrics: AidwatchMetrics,
  ) {
    if (config.eventStore.kind === 'postgres')
      this.lease = new PostgresLease({
        connectionString: config.eventStore.connectionString,
        name: DETECTOR_LEASE,
        holder: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        ttlMs: config.detectorLeaseTtlMs,
      });
    // A standby is healthy: it is ready to take over.
    health.register('lease', () => ({ ok: true, detail: this.describe() }));
  }

  get role(): DetectorRole {
    return this.currentRole;
  }

  /** Whether this detector does the work (always on the embedded store). */
  get active(): boolean {
    return this.currentRole === 'active';
  }

  /** Role, this process's holder name and the lease as last seen (for /health). */
  describe(): { role: DetectorRole; holder: string | null; lease: LeaseState | null } {
    return { role: this.currentRole, holder: this.lease?.holder ?? null, lease: this.state ?? null };
  }

  /** Adds work that runs only while active (started at once if already active). */
  register(activity: LeasedActivity): void {
    this.activities.push(activity);
    if (this.active) void this.startOne(activity);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.lease) return this.activate();
    this.metrics.detectorActive.set(0); // a detector standing by until the lease is won says so
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(50, this.lease.ttlMs / 4));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    if (this.active) await this.deactivate('shutdown', 'shutdown');
    if (this.lease && this.state?.holder === this.lease.holder)
      await this.lease.release(this.state.generation).catch(() => undefined);
    await this.lease?.close();
  }

  /** One look at the lease: renew it (active) or try to take it (standby). */
  tick(): Promise<void> {
    this.ticking ??= this.look().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async look(): Promise<void> {
    const lease = this.lease;
    if (!lease || this.stopped) return;
    try {
      if (this.active && this.state) {
        const renewed = await lease.renew(this.state.generation);
        if (renewed) {
          // /health shows the lease as it now stands: its expiry moves on at every renewal.
          this.state = renewed;
          this.lastRenewal = Date.now();
        } else {
          this.state = await lease.current();
          await this.deactivate('lease taken over', 'lost');
        }
        return;
      }
      this.state = await lease.acquire();
      this.metrics.detectorLeaseGeneration.set(this.state.generation);
      if (this.state.holder === lease.holder && !this.stopped) {
        this.lastRenewal = Date.now();
        this.checkpoints.fenceWith(
          lease.fence(this.state.generation),
          this.activities.flatMap((activity) => activity.checkpoints),
        );
        await this.activate();
      }
    } catch (error) {
      this.logger.warn({ err: error, role: this.currentRole }, 'detector lease: database not reachable');
      // Another detector may take over once the lease expires: stop before it can.
      if (this.active && Date.now() - this.lastRenewal >= lease.ttlMs)
        await this.deactivate('lease not renewed for a whole TTL', 'lost');
    }
  }

  private async activate(): Promise<void> {
    this.currentRole = 'active';
    this.metrics.detectorActive.set(1);
    if (this.state) this.metrics.detectorLeaseGeneration.set(this.state.generation);
    // Without a lease (the embedded store: one detector per machine) the role never changes: not worth a line.
    if (this.state) this.logger.info({ lease: this.state }, 'detector active');
    else this.logger.debug('detector active (no lease: embedded store)');
    for (const activity of this.activities) await this.startOne(activity);
  }

  private async deactivate(reason: string, why: 'shutdown' | 'lost'): Promise<void> {
    this.currentRole = 'standby';
    this.metrics.detectorActive.set(0);
    if (this.state) this.metrics.detectorLeaseGeneration.set(this.state.generation);
    if (this.state || why === 'lost')
      this.logger.warn({ reason, lease: this.state ?? null }, 'detector standing by');
    else this.logger.debug({ reason }, 'detector stopping (no lease: embedded store)');
    for (const activity of [...this.activities].reverse()) {
      try {
        await activity.stop(why);
      } catch (error) {
        // A final checkpoint after a takeover is refused by the fence: expected, and harmless.
        if (!(error instanceof FencedError))
          this.logger.error({ err: error, activity: activity.name }, 'stopping failed');
      }
    }
  }

  private async startOne(activity: LeasedActivity): Promise<void> {
    try {
      await activity.start();
    } catch (error) {
      this.logger.error({ err: error, activity: activity.name }, 'starting failed');
    }
  }
}
