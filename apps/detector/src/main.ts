import 'reflect-metadata';
import { SERVICE_PORTS, rootModule, runMain, startApp } from '@aidwatch/runtime';
import { DetectorModule } from './detector.module';

runMain(() =>
  startApp('detector', (config, logger) => rootModule(config, logger, [DetectorModule]), {
    defaults: { port: SERVICE_PORTS.detector },
  }),
);
