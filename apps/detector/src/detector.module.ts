import { Module } from '@nestjs/common';
import { ObservabilityHttpModule } from '@aidwatch/runtime';
import { AlertRelayService } from './alert-relay.service';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { DetectionService } from './detection.service';
import { DetectorLeaseService } from './detector-lease.service';
import { RetentionService } from './retention.service';

@Module({
  imports: [ObservabilityHttpModule],
  providers: [
    DetectorLeaseService,
    DetectionService,
    AlertRelayService,
    AuditCheckpointService,
    RetentionService,
  ],
  exports: [DetectionService, DetectorLeaseService],
})
export class DetectorModule {}
