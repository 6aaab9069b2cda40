import 'reflect-metadata';
import { rootModule, runMain, startApp } from '@aidwatch/runtime';
import { PulledFeedsModule, HttpIntakeModule, KafkaIntakeModule } from './ingestor.module';

runMain(() =>
  startApp('ingestor', (config, logger) =>
    rootModule(config, logger, [HttpIntakeModule, KafkaIntakeModule, PulledFeedsModule]),
  ),
);
