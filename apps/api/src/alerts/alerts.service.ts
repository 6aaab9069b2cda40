import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AlertBook, AlertCommand, AlertEventFacts, Silence } from '@aidwatch/alerts';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import {
  AlertBookProjection,
  AlertDesk,
  CheckpointStore,
  type LeasedCheckpointWriter,
  ProjectionRunner,
  SilenceQuota,
} from '@aidwatch/projections';
import { APP_CONFIG, FairTurns, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { checkpointWriterFor } from '../shared/checkpoint-writer';

export { SilenceQuotaExceededError, UnknownAlertError, UnknownSilenceError } from '@aidwatch/projections';

/**
 * The alert book in the API: `AlertBookProjection` run over the store with its checkpoint, and the alert
 * use cases of `AlertDesk` (`@aidwatch/projections`). Lifecycle events live in the event store, so every
 * API replica on one store shares the book.
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projection: AlertBookProjection;
  readonly runner: ProjectionRunner;
  private readonly desk: AlertDesk;
  private readonly quota: SilenceQuota;
  private readonly silenceLimit: number;
  private unwatchLag: (() => void) | undefined;
  /** On PostgreSQL: which API replica writes the alert book's checkpoint now. */
  private readonly writer: LeasedCheckpointWriter | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(EVENT_STORE) store: EventStore,
    checkpoints: CheckpointStore,
    private readonly metrics: AidwatchMetrics,
    health: HealthRegistry,
    /**
     * Turns of the event loop shared by the organisations' long reads — alert streams replaying history, long
     * alert and flag lists — so one organisation's many never hold back another's requests (`FairTurns`; one
     * per process).
     */
    readonly turns: FairTurns,
  ) {
    this.projection = new AlertBookProjection(store);
    this.writer = checkpointWriterFor(config, checkpoints, this.projection.name);
    this.desk = new AlertDesk(store, this.projection);
    this.quota = new SilenceQuota(store, () => this.projection.book);
    this.silenceLimit = config.limits.silencesPerTenant;
    this.runner = new ProjectionRunner(store, checkpoints, this.projection, {
      checkpointEveryEvents: config.checkpointEveryEvents,
      checkpointEveryMs: config.checkpointEveryMs,
      // In parts: what changed, a subject at a time, so no write holds the event loop for long. On PostgreSQL
      // every API replica folds the book and one at a time writes the shared checkpoint (a lease).
      ...(this.writer && { checkpointWriter: this.writer }),
      onProcessed: () => metrics.projectionEvents.inc({ projection: this.projection.name }),
      restartAfterMs: 1000,
      onError: (error, event) =>
        logger.error({ err: error, eventId: event?.id }, 'alert book projection stopped'),
    });
    metrics.watchAlerts(() => [...this.book.all()].map((a) => ({ status: a.status, severity: a.severity })));
    health.register('alertBook', () => {
      const status = this.runner.status();
      return { ok: status.running, detail: { ...status } };
    });
  }

  get book(): AlertBook {
    return this.projection.book;
  }

  onApplicationBootstrap(): void {
    this.runner.start();
    this.unwatchLag = this.metrics.watchProjectionLag(this.projection.name, () => this.runner.lagSeconds());
  }

  async onApplicationShutdown(): Promise<void> {
    this.unwatchLag?.();
    await this.runner.stop();
    await this.writer?.close();
  }

  /** What stream filters judge a flag or lifecycle event by (undefined for an event of no known alert). */
  factsOf(event: StoredEvent): Promise<AlertEventFacts | undefined> {
    return this.projection.classificationOf(event.id);
  }

  /** An action on the alert, or (`organisation`) on that organisation's own view of a shared alert. */
  act(alertId: string, command: AlertCommand, organisation?: string) {
    return this.desk.act(alertId, command, organisation);
  }

  /**
   * Records a silence; SilenceQuotaExceededError when its organisation already holds
   * `LIMIT_SILENCES_PER_TENANT` unexpired ones (judged through the store, so across API processes).
   */
  createSilence(
    input: Omit<Silence, 'silenceId' | 'startsAt'> & { startsAt?: string },
    now: string,
  ): Promise<Silence> {
    return this.desk.createSilence(input, now, (silence) =>
      this.quota.reserve(silence, this.silenceLimit, now),
    );
  }

  expireSilence(silenceId: string, by: string, now: string): Promise<Silence> {
    return this.desk.expireSilence(silenceId, by, now);
  }
}
