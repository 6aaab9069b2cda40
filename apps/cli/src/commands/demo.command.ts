import type { Command } from 'commander';
import { rebuildFromZero } from '@aidwatch/audit';
import { detectionConfigFrom } from '@aidwatch/detection';
import { defaultPorts } from '@aidwatch/maritime';
import { AidwatchMetrics } from '@aidwatch/observability';
import { DetectionProjection } from '@aidwatch/projections';
import { loadDemoScenario, type DemoLoad } from '../../../aidwatch/src/demo/demo-loader';
import { eventIntakeOf } from '../../../ingestor/src/event-intake.factory';
import { ExitCode } from '../cli-program';
import { openReadableStore, print, withStoreOptions, type StoreOptions } from '../store-access';

interface DemoOptions extends StoreOptions {
  detect: boolean;
}

/** What `aidwatch demo --json` prints. */
export interface DemoReport {
  /** Events of the demo scenario. */
  events: number;
  /** How many of them this run appended (0: the demo was already loaded). */
  appended: number;
  /** How many were stored before (null after a conflict, when the rest was not tried). */
  alreadyStored: number | null;
  /** Flag events detection wrote (null with --no-detect). */
  flagEvents: number | null;
  /** Set when the store holds an event under a demo event's id with other content (another demo version): exit 1. */
  conflict?: string;
}

function describe(report: DemoReport): string {
  const detection =
    report.flagEvents === null
      ? 'detection not run (--no-detect): a running detector raises the flags'
      : report.flagEvents === 0
        ? 'detection wrote no new flag events'
        : `detection wrote ${report.flagEvents} flag events`;
  if (report.conflict)
    return (
      `an event of the demo is already stored with other content (${report.conflict}): the store holds ` +
      `events under the demo's ids from another version of the demo or another tool; appended ` +
      `${report.appended} of ${report.events} events before it; load the demo into an empty store ` +
      `(a new DATA_DIR, or a new database with EVENT_STORE=postgres)`
    );
  if (report.appended === 0)
    return `the demo scenario is already loaded: nothing appended (${report.events} events already stored); ${detection}`;
  return `loaded the demo scenario: ${report.appended} of ${report.events} events appended (${report.alreadyStored} already stored); ${detection}`;
}

/**
 * `aidwatch demo`: loads the demo scenario (apps/aidwatch/src/demo) into the deployment's store through
 * the intake path, with personal data sealed as the services seal it, then runs detection over the store
 * as the detector does, so flags are there without a running detector. Idempotent: event ids follow the
 * producers' ids and flag ids their evidence, so a second run appends nothing and says so.
 */
export function registerDemoCommand(program: Command): void {
  withStoreOptions(
    program
      .command('demo')
      .description(
        'load the demo scenario (a year of aid under five exemptions, with planted problems) into the store and raise its flags; a second run appends nothing',
      )
      .option('--no-detect', 'load the events only; a running detector raises the flags'),
  ).action(async (options: DemoOptions) => {
    const { store, config } = openReadableStore(options, { create: true });
    let report: DemoReport;
    try {
      const load: DemoLoad = await loadDemoScenario(
        eventIntakeOf(store, new AidwatchMetrics({ defaultMetrics: false }), config),
      );
      let written = 0;
      const detect = options.detect && load.ok;
      if (detect) {
        const projection = new DetectionProjection(
          store,
          detectionConfigFrom(config.detection),
          defaultPorts(),
          {
            onFlagEvents: (events) => (written += events.length),
          },
        );
        await rebuildFromZero(store, projection, { to: await store.headPosition() });
      }
      report = {
        events: load.events,
        appended: load.appended,
        alreadyStored: load.ok ? load.events - load.appended : null,
        flagEvents: detect ? written : null,
        ...(!load.ok && { conflict: load.conflict }),
      };
    } finally {
      await store.close();
    }
    print(options, describe(report), report);
    process.exitCode = report.conflict ? ExitCode.finding : ExitCode.ok;
  });
}
