import { Module, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import {
  APP_CONFIG,
  ObservabilityHttpModule,
  RATE_COUNTERS,
  TenantEventLimiter,
  type RateCounters,
} from '@aidwatch/runtime';
import type { AppConfig } from '@aidwatch/config';
import { EventIntake } from '@aidwatch/intake';
import { AisListenersService } from './ais-listeners.service';
import { AisNmeaController } from './ais-nmea.controller';
import { EventsController } from './events.controller';
import { FieldIntakeController } from './field-intake.controller';
import { eventIntakeOf } from './event-intake.factory';
import { KafkaIntakeService } from './kafka-intake.service';
import { SanctionsController } from './sanctions.controller';
import { SanctionsSourcesService } from './sanctions-sources.service';
import { TenantUsageService } from './tenant-usage.service';

const eventIntakeProvider = {
  provide: EventIntake,
  inject: [EVENT_STORE, AidwatchMetrics, APP_CONFIG],
  useFactory: eventIntakeOf,
};

/**
 * `POST /events`, `POST /ais/nmea`, `POST /intake/kobo|odk`, `POST /sanctions/import` and the intake path
 * behind them.
 */
@Module({
  imports: [ObservabilityHttpModule],
  controllers: [EventsController, AisNmeaController, FieldIntakeController, SanctionsController],
  providers: [
    eventIntakeProvider,
    TenantUsageService,
    {
      provide: TenantEventLimiter,
      inject: [APP_CONFIG, TenantUsageService, RATE_COUNTERS],
      useFactory: (config: AppConfig, usage: TenantUsageService, counters: RateCounters) =>
        new TenantEventLimiter(config.limits.tenantEvents, usage, counters),
    },
  ],
  exports: [EventIntake],
})
export class HttpIntakeModule implements OnModuleDestroy {
  constructor(private readonly intake: EventIntake) {}

  /** The quiet markers still pending are written before the store closes (at application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.intake.stop();
  }
}

/** Consumes the inbound Kafka topics (when KAFKA_BROKERS is set) through the same intake path. */
@Module({
  imports: [HttpIntakeModule, ObservabilityHttpModule],
  providers: [KafkaIntakeService],
})
export class KafkaIntakeModule {}

/**
 * Reads AIS receivers over UDP and TCP (`AIS_UDP_PORT`, `AIS_TCP_SOURCES`) and the sanctions lists of
 * `SANCTIONS_SOURCES` through the same intake path: the feeds the ingestor pulls rather than is sent.
 */
@Module({
  imports: [HttpIntakeModule, ObservabilityHttpModule],
  providers: [AisListenersService, SanctionsSourcesService],
})
export class PulledFeedsModule {}
