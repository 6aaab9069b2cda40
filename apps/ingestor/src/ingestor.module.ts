import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import type { AppConfig } from '@aidwatch/config';
import { APP_CONFIG, ObservabilityHttpModule } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';
import { AisNmeaController } from './ais-nmea.controller';
import { EventsController } from './events.controller';
import { FieldIntakeController } from './field-intake.controller';
import { KafkaIntakeService } from './kafka-intake.service';

const eventIntakeProvider = {
  provide: EventIntake,
  inject: [EVENT_STORE, AidwatchMetrics, APP_CONFIG],
  useFactory: (store: EventStore, metrics: AidwatchMetrics, config: AppConfig) =>
    new EventIntake(
      store,
      metrics,
      {
        identifierLength: config.limits.identifierLength,
        textLength: config.limits.textLength,
        nmea: {
          fragmentWindowMs: config.intake.aisFragmentWindowMs,
          duplicateWindowMs: config.intake.aisDuplicateWindowMs,
        },
      },
      { maxFutureSkewMs: config.limits.maxFutureSkewSec * 1000 },
    ),
};

/** `POST /events`, `POST /ais/nmea`, `POST /intake/kobo|odk` and the intake path behind them. */
@Module({
  imports: [ObservabilityHttpModule],
  controllers: [EventsController, AisNmeaController, FieldIntakeController],
  providers: [eventIntakeProvider],
  exports: [EventIntake],
})
export class HttpIntakeModule {}

/** Consumes the inbound Kafka topics (when KAFKA_BROKERS is set) through the same intake path. */
@Module({
  imports: [HttpIntakeModule, ObservabilityHttpModule],
  providers: [KafkaIntakeService],
})
export class KafkaIntakeModule {}
