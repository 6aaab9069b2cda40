import 'reflect-metadata';
import { rootModule, runMain, startApp } from '@aidwatch/runtime';
import { DetectorModule } from './detector.module';

runMain(() => startApp('detector', (config, logger) => rootModule(config, logger, [DetectorModule])));
