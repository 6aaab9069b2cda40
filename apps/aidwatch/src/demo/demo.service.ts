import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import type { Logger } from '@aidwatch/observability';
import { APP_CONFIG, LOGGER } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';
import { demoScenario } from './demo-scenario';

/** Loads the demo scenario through the normal intake path (idempotent: a restart adds nothing). */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly intake: EventIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    const started = Date.now();
    const events = demoScenario();
    // The intake keeps a batch's order in the store, so batches may mix streams freely.
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500);
      const result = await this.intake.ingestHttp('application/cloudevents-batch+json', batch);
      if (!result.ok)
        throw new Error(`demo scenario is invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
    }
    this.logger.info(
      { events: events.length, ms: Date.now() - started },
      'demo scenario loaded; try GET /flags',
    );
  }
}
