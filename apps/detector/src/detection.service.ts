import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EventTypes } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, DetectionProjection, ProjectionRunner } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { DetectorLeaseService } from './detector-lease.service';
import { logProjectionError } from './projection-errors';

/** Runs the detection projection while this detector is the active one: inbound events in, flag events out. */
@Injectable()
export class DetectionService {
  readonly runner: ProjectionRunner;
  private unwatchLag: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) store: EventStore,
    checkpoints: CheckpointStore,
    private readonly metrics: AidwatchMetrics,
    health: HealthRegistry,
    private readonly lease: DetectorLeaseService,
  ) {
    const projection = new DetectionProjection(store, detectionConfigFrom(config.detection), defaultPorts(), {
      onFlagEvents: (events) => {
        for (const e of events) {
          if (e.type === EventTypes.FlagRaised)
            metrics.flagsRaised.inc({ rule: e.data.rule, severity: e.data.severity });
          else metrics.flagsCleared.inc({ rule: e.data.rule });
        }
      },
      onWriteError: (error) => logger.warn({ err: error }, 'flag events not stored: tried again'),
    });
    metrics.watchInputs(() => projection.inputs());
    metrics.watchUnregistered(() => projection.unregisteredConsignments());
    metrics.watchLateAis(() => projection.lateAis());
    metrics.watchRouteReplays(() => projection.routeReplays());
    this.runner = new ProjectionRunner(store, checkpoints, projection, {
      checkpointEveryEvents: config.checkpointEveryEvents,
      checkpointEveryMs: config.checkpointEveryMs,
      onProcessed: () => metrics.projectionEvents.inc({ projection: projection.name }),
      restartAfterMs: 1000,
      onError: logProjectionError(logger, 'detection projection stopped'),
    });
    // Catching up (a backlog or a rebuild) is healthy: the service answers while detection replays. So is
    // standing by.
    health.register('detection', async () => {
      const status = this.runner.status();
      // One read of the store: whether a backlog waits, and the age of the oldest event detection has not
      // judged yet (0: live; null while standing by).
      const backlog = status.running ? await this.runner.backlog() : undefined;
      // Consignments a programme-wide change left to judge between events are part of catching up.
      const unsettled = projection.unsettledCount();
      const catchingUp = (backlog?.catchingUp ?? false) || unsettled > 0;
      const lagSeconds = backlog ? backlog.lagSeconds : null;
      const state = !this.lease.active
        ? 'standby'
        : status.failing
          ? 'failing'
          : !status.running
            ? 'stopped'
            : catchingUp
              ? 'catching up'
              : 'live';
      return {
        ok: (status.running && status.failing === null) || !this.lease.active,
        // Consignments a programme-wide change left to judge between events (docs/time-model.md 11).
        detail: {
          ...status,
          state,
          lagSeconds,
          unsettled: projection.unsettledCount(),
          role: this.lease.role,
        },
      };
    });
    lease.register({
      name: 'detection',
      checkpoints: [projection.name],
      start: () => {
        this.runner.start();
        this.unwatchLag = this.metrics.watchProjectionLag(projection.name, () => this.runner.lagSeconds());
      },
      stop: async () => {
        this.unwatchLag?.();
        await this.runner.stop();
      },
    });
  }
}
