import 'reflect-metadata';
import { SERVICE_PORTS, rootModule, runMain, startApp } from '@aidwatch/runtime';
import { HttpIntakeModule } from '../../ingestor/src/ingestor.module';
import { ApiModule } from './api.module';

// Monitors submit verifications through the API, so it carries the HTTP intake too.
runMain(() =>
  startApp('api', (config, logger) => rootModule(config, logger, [ApiModule, HttpIntakeModule]), {
    defaults: { port: SERVICE_PORTS.api },
  }),
);
