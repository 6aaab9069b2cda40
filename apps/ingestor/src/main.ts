import 'reflect-metadata';
import { rootModule, runMain, startApp } from '@aidwatch/runtime';
import { AisListenersModule, HttpIntakeModule, KafkaIntakeModule } from './ingestor.module';

runMain(() =>
  startApp('ingestor', (config, logger) =>
    rootModule(config, logger, [HttpIntakeModule, KafkaIntakeModule, AisListenersModule]),
  ),
);
