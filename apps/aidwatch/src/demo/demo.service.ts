import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import type { Logger } from '@aidwatch/observability';
import { APP_CONFIG, EventIntake, LOGGER } from '@aidwatch/runtime';
import { streamOf, type AidEvent, type CloudEvent } from '@aidwatch/domain';
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
    for (const batch of runsOfOneStream(events, 500)) {
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

/**
 * Consecutive events of one stream, at most `max` at a time. The intake appends a batch stream by stream, so a
 * batch mixing streams would reach the detector out of event-time order (two ships meeting at sea would
 * then seem hours apart).
 */
function* runsOfOneStream(events: readonly CloudEvent[], max: number): Generator<CloudEvent[]> {
  let run: CloudEvent[] = [];
  let stream: string | undefined;
  for (const event of events) {
    const next = streamOf(event as AidEvent);
    if (run.length > 0 && (next !== stream || run.length >= max)) {
      yield run;
      run = [];
    }
    stream = next;
    run.push(event);
  }
  if (run.length > 0) yield run;
}
