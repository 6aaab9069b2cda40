import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { InboundTopics } from '@aidwatch/domain';
import { AIDWATCH_TOPICS, createKafkaClient, ensureTopics, KafkaInbound } from '@aidwatch/messaging';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';

/** Consumes the inbound topics when Kafka is configured; offsets are committed after the durable append. */
@Injectable()
export class KafkaIntakeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private inbound: KafkaInbound | undefined;
  private lastError: string | undefined;
  private running = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** `topic \0 partition` → records pending after the last one stored (as of its fetch), for this member's partitions. */
  private lag = new Map<string, number>();
  /** Partitions whose last caught-up marker could not be stored (warned once until one is). */
  private readonly markersFailing = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly intake: EventIntake,
    private readonly metrics: AidwatchMetrics,
    health: HealthRegistry,
  ) {
    if (config.kafka) {
      health.register('kafkaIntake', () => {
        const inbound = this.inbound?.health();
        const ok = this.running && (inbound?.ok ?? false);
        return {
          ok,
          detail: {
            ...(inbound?.detail ?? { state: 'starting' }),
            // Records on this member's partitions not stored yet, as of each partition's last fetch.
            pendingRecords: [...this.lag.values()].reduce((sum, n) => sum + n, 0),
            // An error is shown while it is current; after recovery it is history.
            lastError: ok ? null : (this.lastError ?? inbound?.detail.lastError ?? null),
          },
        };
      });
    }
  }

  /** Starts in the background: a broker that is not reachable yet delays intake, not the whole process. */
  onApplicationBootstrap(): void {
    if (!this.config.kafka) return;
    void this.startWithRetry(1000);
  }

  private async startWithRetry(delayMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.start();
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn({ err: error, retryInMs: delayMs }, 'Kafka intake could not start; retrying');
      await this.inbound?.stop().catch(() => undefined);
      this.inbound = undefined;
      this.retry = setTimeout(() => void this.startWithRetry(Math.min(delayMs * 2, 30_000)), delayMs);
    }
  }

  private async start(): Promise<void> {
    const kafka = this.config.kafka;
    if (!kafka) return;
    const log = this.logger.child({ component: 'kafka-intake' });
    const admin = createKafkaClient(kafka, { logger: log, logLevel: 'warn' }).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, AIDWATCH_TOPICS);
    } finally {
      await admin.disconnect();
    }
    this.inbound = KafkaInbound.fromConfig(
      kafka,
      {
        topics: [...InboundTopics],
        handler: (messages) => this.intake.ingestKafkaBatch(messages),
        commitIntervalMs: this.config.kafkaIntake.commitIntervalMs,
        sessionTimeoutMs: this.config.kafkaIntake.sessionTimeoutMs,
        heartbeatIntervalMs: this.config.kafkaIntake.heartbeatIntervalMs,
        unreachableAfterMs: this.config.kafkaIntake.unreachableAfterMs,
        partitionsConsumedConcurrently: this.config.kafkaIntake.partitionsConsumedConcurrently,
        ...(this.config.kafkaIntake.caughtUp
          ? {
              caughtUp: {
                ...this.config.kafkaIntake.caughtUp,
                write: async (marker) => {
                  const { topic, partition } = marker;
                  const key = `${topic}/${partition}`;
                  try {
                    await this.intake.appendCaughtUp(marker);
                    this.metrics.kafkaCaughtUpMarkers.inc({ topic, partition: String(partition) });
                    this.markersFailing.delete(key);
                  } catch (error) {
                    // Once per outage and partition: the store's own errors say the rest.
                    if (!this.markersFailing.has(key))
                      log.warn({ err: error, topic, partition }, 'caught-up marker not stored; trying again');
                    this.markersFailing.add(key);
                    throw error;
                  }
                },
              },
            }
          : {}),
        ...(this.config.kafkaIntake.alignment
          ? {
              eventTimeOf: (message) => this.intake.eventTimeOf(message),
              alignment: this.config.kafkaIntake.alignment,
            }
          : {}),
        hooks: {
          committed: (topic, partition, _offset, pending) => {
            if (pending === undefined) return;
            this.lag.set(`${topic}\0${partition}`, pending);
            this.metrics.kafkaConsumerLag.set({ topic, partition: String(partition) }, pending);
          },
          assigned: (partitions) => {
            const now = new Set(partitions.map((p) => `${p.topic}\0${p.partition}`));
            for (const key of this.lag.keys()) {
              if (now.has(key)) continue;
              this.lag.delete(key);
              const [topic, partition] = key.split('\0');
              this.metrics.kafkaConsumerLag.remove({ topic, partition });
            }
          },
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
            // A crash the client restarts from (a broker outage, a coordinator moving) is a warning; /health
            // shows it degraded meanwhile. One that ends consumption is an error.
            if (restarting) log.warn({ err: error, restarting }, 'Kafka consumer crashed; restarting');
            else log.error({ err: error, restarting }, 'Kafka consumer crashed');
          },
        },
      },
      { logger: log, logLevel: 'warn' },
    );
    await this.inbound.start();
    this.running = true;
    this.lastError = undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.running = false;
    await this.inbound?.stop();
  }
}
