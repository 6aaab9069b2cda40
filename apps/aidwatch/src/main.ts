import 'reflect-metadata';
import { rootModule, runMain, startApp } from '@aidwatch/runtime';
import { allInOneFeatures } from './app.module';
import { DemoService } from './demo/demo.service';

runMain(async () => {
  const started = await startApp(
    'aidwatch',
    (config, logger) => rootModule(config, logger, allInOneFeatures),
    {
      defaults: { demo: true, logPretty: true, webhookPrivateTargets: true },
    },
  );
  // The start-up log ends with "demo flags ready" and the console's address (not awaited: serving goes on).
  void started.app.get(DemoService, { strict: false }).announce(started.url);
});
