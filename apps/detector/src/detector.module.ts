import { Module } from '@nestjs/common';
import { ObservabilityHttpModule } from '@aidwatch/runtime';
import { AlertRelayService } from './alert-relay.service';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { DetectionService } from './detection.service';

@Module({
  imports: [ObservabilityHttpModule],
  providers: [DetectionService, AlertRelayService, AuditCheckpointService],
  exports: [DetectionService],
})
export class DetectorModule {}
