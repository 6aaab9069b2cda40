import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, ProjectionRunner, ReadModelProjection } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';

/** Keeps the API's read model (consignments and flags) up to date from the store. */
@Injectable()
export class ReadModelService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projection: ReadModelProjection;
  readonly runner: ProjectionRunner;
  /** The implementing organisation of a consignment, as far as the read model has folded. */
  readonly tenantOf = (consignmentId: string): string | undefined =>
    this.projection.tenants.tenantOfConsignment(consignmentId);

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(EVENT_STORE) store: EventStore,
    checkpoints: CheckpointStore,
    metrics: AidwatchMetrics,
    health: HealthRegistry,
  ) {
    this.projection = new ReadModelProjection();
    this.runner = new ProjectionRunner(store, checkpoints, this.projection, {
      checkpointEveryEvents: config.checkpointEveryEvents,
      checkpointEveryMs: config.checkpointEveryMs,
      onProcessed: () => metrics.projectionEvents.inc({ projection: this.projection.name }),
      restartAfterMs: 1000,
      onError: (error, event) =>
        logger.error({ err: error, eventId: event?.id }, 'read model projection stopped'),
    });
    health.register('readModel', () => {
      const status = this.runner.status();
      return { ok: status.running, detail: { ...status } };
    });
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
