import { Module } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import {
  APP_CONFIG,
  FairTurns,
  ObservabilityHttpModule,
  RATE_COUNTERS,
  TenantActionLimiter,
  type RateCounters,
} from '@aidwatch/runtime';
import { AdminKeysController } from './admin-keys.controller';
import { AlertActionsController } from './alert-actions.controller';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { AuditController } from './audit.controller';
import { ConsignmentMapController } from './consignment-map.controller';
import { ConsignmentsController } from './consignments.controller';
import { ConsoleController, FaviconController } from './console.controller';
import { ContractDocsController } from './contract-docs.controller';
import { FlagsController } from './flags.controller';
import { MeController } from './me.controller';
import { OwnershipController, OwnershipPrefixesController } from './ownership.controller';
import { RedactionService } from './redaction.service';
import { ReadModelService } from './read-model.service';
import { SilencesController } from './silences.controller';
import { StreamsController } from './streams.controller';
import { SubscriptionsController } from './subscriptions.controller';
import { TenancyService } from './tenancy.service';
import { VesselsController } from './vessels.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [ObservabilityHttpModule],
  // AlertsController (GET /alerts/stream) before AlertActionsController (GET /alerts/:alertId).
  controllers: [
    ConsignmentsController,
    ConsignmentMapController,
    FlagsController,
    AlertsController,
    AlertActionsController,
    SilencesController,
    SubscriptionsController,
    StreamsController,
    AuditController,
    ConsoleController,
    FaviconController,
    AdminKeysController,
    OwnershipController,
    OwnershipPrefixesController,
    ContractDocsController,
    VesselsController,
    MeController,
  ],
  providers: [
    // One per process: the organisations' long reads take turns of the event loop (`FairTurns`).
    { provide: FairTurns, useFactory: () => new FairTurns() },
    ReadModelService,
    AlertsService,
    WebhooksService,
    TenancyService,
    RedactionService,
    {
      provide: TenantActionLimiter,
      inject: [APP_CONFIG, RATE_COUNTERS],
      useFactory: (config: AppConfig, counters: RateCounters) =>
        new TenantActionLimiter(
          {
            perWindow: config.limits.tenantEvents.alertActions,
            windowMs: config.limits.tenantEvents.windowMs,
          },
          counters,
        ),
    },
  ],
  exports: [ReadModelService, AlertsService],
})
export class ApiModule {}
