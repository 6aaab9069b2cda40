import type { CloudEvent } from '@aidwatch/domain';
import type { EventIntake } from '@aidwatch/intake';
import { demoScenario } from './demo-scenario';

/** What loading the demo did: how many events it holds and how many of them were new to the store. */
export type DemoLoad =
  | { ok: true; events: number; appended: number }
  /** An event of the demo is stored with other content: the store holds a demo of another version. */
  | { ok: false; events: number; appended: number; conflict: string };

/** Events per intake call, as `POST /events` batches would carry them. */
const BATCH = 500;

/**
 * Loads the demo scenario through the intake path every producer uses (validation, then an idempotent
 * append in order, batch by batch): loading it again appends nothing. Stops at the first batch with an
 * event the store holds with other content. An event the intake refuses is a broken demo: it throws.
 */
export async function loadDemoScenario(
  intake: EventIntake,
  events: readonly CloudEvent[] = demoScenario(),
): Promise<DemoLoad> {
  let appended = 0;
  // The intake keeps a batch's order in the store, so batches may mix streams freely.
  for (let i = 0; i < events.length; i += BATCH) {
    const result = await intake.ingestHttp('application/cloudevents-batch+json', events.slice(i, i + BATCH));
    if (result.ok) {
      appended += result.appended;
      continue;
    }
    if (result.kind === 'conflict')
      return { ok: false, events: events.length, appended, conflict: result.errors[0]?.reason ?? 'conflict' };
    throw new Error(`demo scenario is invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
  }
  return { ok: true, events: events.length, appended };
}
