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
import { AdminKeysController } from './administration/admin-keys.controller';
import { AlertActionsController } from './alerts/alert-actions.controller';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { AuditController } from './audit/audit.controller';
import { ConsignmentMapController } from './consignments/consignment-map.controller';
import { ConsignmentsController } from './consignments/consignments.controller';
import { ConsoleController, FaviconController } from './console/console.controller';
import { ContractDocsController } from './console/contract-docs.controller';
import { FlagsController } from './consignments/flags.controller';
import { MeController } from './console/me.controller';
import { OwnershipController, OwnershipPrefixesController } from './administration/ownership.controller';
import { RedactionService } from './caller/redaction.service';
import { ReadModelService } from './caller/read-model.service';
import { SilencesController } from './alerts/silences.controller';
import { StreamsController } from './audit/streams.controller';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { TenancyService } from './caller/tenancy.service';
import { VesselsController } from './consignments/vessels.controller';
import { WebhooksService } from './subscriptions/webhooks.service';

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
