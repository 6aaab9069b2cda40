import 'reflect-metadata';
import { SERVICE_PORTS, rootModule, runMain, startApp } from '@aidwatch/runtime';
import { PulledFeedsModule, HttpIntakeModule, KafkaIntakeModule } from './ingestor.module';

runMain(() =>
  startApp(
    'ingestor',
    (config, logger) => rootModule(config, logger, [HttpIntakeModule, KafkaIntakeModule, PulledFeedsModule]),
    {
      defaults: { port: SERVICE_PORTS.ingestor },
      kafkaRole: 'consuming the intake topics',
    },
  ),
);
