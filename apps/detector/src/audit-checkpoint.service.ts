import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CHECKPOINT_STREAM, checkpointEvent, StreamHeadsProjection } from '@aidwatch/audit';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, ProjectionRunner } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { DetectorLeaseService } from './detector-lease.service';
import { logProjectionError } from './projection-errors';

/**
 * Appends an audit checkpoint (Merkle root over every stream head) every AUDIT_CHECKPOINT_EVERY_MS if anything
 * changed, while this detector is the active one; a graceful stop writes one more.
 */
@Injectable()
export class AuditCheckpointService {
  private readonly projection = new StreamHeadsProjection();
  private readonly runner: ProjectionRunner;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private unwatchLag: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    checkpoints: CheckpointStore,
    health: HealthRegistry,
    lease: DetectorLeaseService,
    private readonly metrics: AidwatchMetrics,
  ) {
    this.runner = new ProjectionRunner(store, checkpoints, this.projection, {
      checkpointEveryEvents: config.checkpointEveryEvents,
      checkpointEveryMs: config.checkpointEveryMs,
      restartAfterMs: 1000,
      onError: logProjectionError(logger, 'audit stream heads stopped'),
    });
    health.register('auditCheckpoints', () => ({ ok: this.runner.status().running || !lease.active }));
    lease.register({
      name: 'audit checkpoints',
      checkpoints: [this.projection.name],
      start: () => {
        this.runner.start();
        this.unwatchLag = this.metrics.watchProjectionLag(this.projection.name, () =>
          this.runner.lagSeconds(),
        );
        this.timer = setInterval(() => void this.writeIfDue(), this.config.auditCheckpointEveryMs);
        this.timer.unref();
      },
      stop: (why) => this.stop(why),
    });
  }

  /** Writes a checkpoint of the heads seen so far, unless only checkpoints came since the last one. */
  writeIfDue(): Promise<void> {
    this.writing ??= (async () => {
      const checkpoint = this.projection.due();
      if (!checkpoint) return;
      await this.store.append(CHECKPOINT_STREAM, [checkpointEvent(checkpoint, randomUUID(), new Date())]);
      this.logger.debug(
        { root: checkpoint.root, streams: checkpoint.streams, coversPosition: checkpoint.coversPosition },
        'audit checkpoint written',
      );
    })()
      .catch(logProjectionError(this.logger, 'audit checkpoint failed'))
      .finally(() => (this.writing = undefined));
    return this.writing;
  }

  /**
   * Stops after the heads seen so far; a graceful stop (not a lost lease: another detector writes them now)
   * first writes one more audit checkpoint, so a restart or `aidwatch verify` starts from an anchored head.
   */
  private async stop(why: 'shutdown' | 'lost'): Promise<void> {
    clearInterval(this.timer);
    this.unwatchLag?.();
    await this.writing;
    if (why === 'shutdown') {
      await this.runner.caughtUp(10_000).catch(() => undefined);
      await this.writeIfDue();
    }
    await this.runner.stop();
  }
}
