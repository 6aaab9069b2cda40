import 'reflect-metadata';
import { rootModule, runMain, startApp } from '@aidwatch/runtime';
import { allInOneFeatures } from './app.module';

runMain(() =>
  startApp('aidwatch', (config, logger) => rootModule(config, logger, allInOneFeatures), {
    defaults: { demo: true, logPretty: true, webhookPrivateTargets: true },
  }),
);
