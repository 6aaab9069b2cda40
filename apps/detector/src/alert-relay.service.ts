import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { NotificationEventPrefixes, publishedForm, Topics, type CloudEvent } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { KafkaPublisher } from '@aidwatch/messaging';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, ProjectionRunner, type Projection } from '@aidwatch/projections';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { DetectorLeaseService } from './detector-lease.service';
import { logProjectionError } from './projection-errors';

/** The relay's checkpoint name. */
const ALERT_RELAY_PROJECTION = 'alert-relay-v1';

/**
 * Publishes every flag event and alert lifecycle event from the store to `aidwatch.alerts.v1`, keyed by
 * subject (an outbox relay with its own checkpoint).
 */
class AlertRelayProjection implements Projection {
  readonly name = ALERT_RELAY_PROJECTION;
  readonly filter = { eventTypePrefixes: [...NotificationEventPrefixes] };

  constructor(private readonly publisher: KafkaPublisher) {}

  async apply(stored: StoredEvent): Promise<void> {
    // Under the contract's names (a flag stored as v2 goes out as aidwatch.flag.raised.v1).
    await this.publisher.publish([publishedForm(stored.data as CloudEvent)]);
  }
  snapshot(): unknown {
    return {};
  }
  restore(): void {}
  reset(): void {}
}

/** Relays alerts to Kafka while this detector is the active one (one relay at a time). */
@Injectable()
export class AlertRelayService {
  private runner: ProjectionRunner | undefined;
  private publisher: KafkaPublisher | undefined;
  private unwatchLag: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    health: HealthRegistry,
    lease: DetectorLeaseService,
    private readonly metrics: AidwatchMetrics,
  ) {
    if (!config.kafka) return;
    // Relaying while active: running, and its last publish did not fail (a failing publish is retried from
    // the checkpoint, the event not skipped; `failing` says why until it goes through).
    health.register('alertRelay', () => {
      const status = this.runner?.status();
      const running = status?.running ?? false;
      const failing = status?.failing ?? null;
      const state = !lease.active ? 'standby' : failing ? 'failing' : running ? 'relaying' : 'stopped';
      return { ok: (running && failing === null) || !lease.active, detail: { state, failing } };
    });
    lease.register({
      name: 'alert relay',
      checkpoints: [ALERT_RELAY_PROJECTION],
      start: () => this.start(),
      stop: () => this.stop(),
    });
  }

  private start(): void {
    if (!this.config.kafka) return;
    this.publisher = KafkaPublisher.fromConfig(
      this.config.kafka,
      { topic: Topics.alerts },
      { logger: this.logger.child({ component: 'alert-relay' }), logLevel: 'warn' },
    );
    this.runner = new ProjectionRunner(
      this.store,
      this.checkpoints,
      new AlertRelayProjection(this.publisher),
      {
        checkpointEveryEvents: 100,
        checkpointEveryMs: this.config.checkpointEveryMs,
        restartAfterMs: 1000,
        onError: logProjectionError(this.logger, 'alert relay stopped'),
      },
    );
    this.runner.start();
    const runner = this.runner;
    this.unwatchLag = this.metrics.watchProjectionLag(ALERT_RELAY_PROJECTION, () => runner.lagSeconds());
  }

  private async stop(): Promise<void> {
    this.unwatchLag?.();
    this.unwatchLag = undefined;
    await this.runner?.stop();
    await this.publisher?.stop();
    this.runner = undefined;
    this.publisher = undefined;
  }
}
