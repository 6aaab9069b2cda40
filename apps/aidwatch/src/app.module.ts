import { Module } from '@nestjs/common';
import { ApiModule } from '../../api/src/api.module';
import { DetectorModule } from '../../detector/src/detector.module';
import { PulledFeedsModule, HttpIntakeModule, KafkaIntakeModule } from '../../ingestor/src/ingestor.module';
import { DemoService } from './demo/demo.service';

@Module({ imports: [HttpIntakeModule], providers: [DemoService] })
export class DemoModule {}

/** Ingestor, detector and API in one process (the zero-setup default of `npm start`). */
export const allInOneFeatures = [
  HttpIntakeModule,
  KafkaIntakeModule,
  PulledFeedsModule,
  DetectorModule,
  ApiModule,
  DemoModule,
];
