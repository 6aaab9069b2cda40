import { Module } from '@nestjs/common';
import { ObservabilityHttpModule } from '@aidwatch/runtime';
import { AdminKeysController } from './admin-keys.controller';
import { AlertsController } from './alerts.controller';
import { AuditController } from './audit.controller';
import { ConsignmentsController } from './consignments.controller';
import { ContractDocsController } from './contract-docs.controller';
import { FlagsController } from './flags.controller';
import { ReadModelService } from './read-model.service';
import { StreamsController } from './streams.controller';

@Module({
  imports: [ObservabilityHttpModule],
  controllers: [
    ConsignmentsController,
    FlagsController,
    AlertsController,
    StreamsController,
    AuditController,
    AdminKeysController,
    ContractDocsController,
  ],
  providers: [ReadModelService],
  exports: [ReadModelService],
})
export class ApiModule {}
