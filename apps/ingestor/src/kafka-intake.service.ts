import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { Topics } from '@aidwatch/domain';
import { KafkaInbound } from '@aidwatch/messaging';
import type { Logger } from '@aidwatch/observability';
import { APP_CONFIG, EventIntake, HealthRegistry, LOGGER } from '@aidwatch/runtime';

export const inboundTopics = [
  Topics.reference,
  Topics.consignments,
  Topics.deliveries,
  Topics.verifications,
  Topics.positions,
];

/** Consumes the inbound topics when Kafka is configured; offsets are committed after the durable append. */
@Injectable()
export class KafkaIntakeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private inbound: KafkaInbound | undefined;
  private lastError: string | undefined;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly intake: EventIntake,
    health: HealthRegistry,
  ) {
    if (config.kafka) {
      health.register('kafkaIntake', () => ({
        ok: this.running,
        detail: { lastError: this.lastError ?? null },
      }));
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.kafka) return;
    const log = this.logger.child({ component: 'kafka-intake' });
    this.inbound = KafkaInbound.fromConfig(
      this.config.kafka,
      {
        topics: inboundTopics,
        handler: (messages) => this.intake.ingestKafkaBatch(messages),
        hooks: {
          retrying: (retry) => {
            this.lastError = String((retry.error as Error)?.message ?? retry.error);
            log.warn(
              { ...retry, error: this.lastError },
              'storing failed; the batch will be delivered again',
            );
          },
          crashed: (error, restarting) => {
            this.running = restarting;
            this.lastError = error.message;
            log.error({ err: error, restarting }, 'Kafka consumer crashed');
          },
        },
      },
      { logger: log, logLevel: 'warn' },
    );
    await this.inbound.start();
    this.running = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.inbound?.stop();
  }
}
