import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CHECKPOINT_STREAM, checkpointEvent, StreamHeadsProjection } from '@aidwatch/audit';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import type { Logger } from '@aidwatch/observability';
import { CheckpointStore, ProjectionRunner } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';

/** Appends an audit checkpoint (Merkle root over every stream head) every AUDIT_CHECKPOINT_EVERY_MS if anything changed. */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly projection = new StreamHeadsProjection();
  private readonly runner: ProjectionRunner;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    checkpoints: CheckpointStore,
    health: HealthRegistry,
  ) {
    this.runner = new ProjectionRunner(store, checkpoints, this.projection, {
      checkpointEveryEvents: config.checkpointEveryEvents,
      checkpointEveryMs: config.checkpointEveryMs,
      restartAfterMs: 1000,
      onError: (error) => logger.error({ err: error }, 'audit stream heads stopped'),
    });
    health.register('auditCheckpoints', () => ({ ok: this.runner.status().running }));
  }

  onApplicationBootstrap(): void {
    this.runner.start();
    this.timer = setInterval(() => void this.writeIfDue(), this.config.auditCheckpointEveryMs);
    this.timer.unref();
  }

  /** Writes a checkpoint of the heads seen so far, unless only checkpoints came since the last one. */
  writeIfDue(): Promise<void> {
    this.writing ??= (async () => {
      const checkpoint = this.projection.due();
      if (!checkpoint) return;
      await this.store.append(CHECKPOINT_STREAM, [checkpointEvent(checkpoint, randomUUID(), new Date())]);
      this.logger.info(
        { root: checkpoint.root, streams: checkpoint.streams, coversPosition: checkpoint.coversPosition },
        'audit checkpoint written',
      );
    })()
      .catch((error: unknown) => this.logger.error({ err: error }, 'audit checkpoint failed'))
      .finally(() => (this.writing = undefined));
    return this.writing;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.runner.stop();
  }
}
