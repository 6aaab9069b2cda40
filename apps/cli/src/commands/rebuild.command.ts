import { writeFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Argument, type Command } from 'commander';
import { Gauge, Registry } from 'prom-client';
import {
  catchUp,
  compareReadModels,
  rawReadSpeed,
  READ_MODEL,
  rebuildFromZero,
  serviceCheckpointStore,
  type ReadModelDifference,
} from '@aidwatch/audit';
import { ReadModelProjection } from '@aidwatch/projections';
import { ExitCode } from '../cli-program';
import { openReadableStore, print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

interface RebuildOptions extends StoreOptions {
  verify?: boolean;
  switch: boolean;
  metricsFile?: string;
  progress: boolean;
}

/** Gauges of a rebuild, in the Prometheus text format (node_exporter's textfile collector reads the file). */
function rebuildGauges() {
  const registry = new Registry();
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['projection'], registers: [registry] });
  return {
    registry,
    events: gauge('aidwatch_rebuild_events', 'Events applied by the running or last rebuild.'),
    ratio: gauge('aidwatch_rebuild_progress_ratio', 'Share of the store covered by the rebuild (0-1).'),
    rate: gauge('aidwatch_rebuild_events_per_second', 'Rebuild speed.'),
    rawRate: gauge(
      'aidwatch_rebuild_raw_read_events_per_second',
      'Reading the same events without applying them.',
    ),
    equal: gauge(
      'aidwatch_rebuild_verified_equal',
      '1 when the rebuilt read model equals the live one, 0 if not.',
    ),
  };
}

const version = (now: Date) => now.toISOString().replace(/[-:.]/g, '');

/** `aidwatch rebuild [read-model] [--verify]`: blue/green rebuild of a read model from position zero. */
export function registerRebuildCommand(program: Command): void {
  withStoreOptions(
    program
      .command('rebuild')
      .description(
        'build the read model from position zero into a new version while the live one keeps serving, then switch the deployment to it (blue/green)',
      )
      .addArgument(
        new Argument('[projection]', 'the projection to rebuild')
          .choices(['read-model'])
          .default('read-model'),
      )
      .option(
        '--verify',
        'compare the rebuilt consignments and flags with the live ones; print the differences, exit 1 if any',
      )
      .option('--no-switch', 'build (and verify) only; the live version stays active')
      .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)')
      .option(
        '--metrics-file <file>',
        'write Prometheus gauges of the rebuild to this file (textfile collector)',
      ),
  ).action(async (projectionName: string, options: RebuildOptions) => {
    const { store, config } = openReadableStore(options);
    const checkpoints = serviceCheckpointStore(config);
    const gauges = rebuildGauges();
    const labels = { projection: projectionName };
    try {
      const head = await store.headPosition();
      const green = new ReadModelProjection(version(new Date()));
      const bar = new SingleBar(
        {
          format: ' {bar} {percentage}% | {events} events | {rate} events/s | ETA {eta_formatted}',
          hideCursor: true,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      // A bar only on a terminal: redirected to a file or a pipe, its redraws would be noise.
      const showBar = options.progress && !options.json && process.stderr.isTTY === true;
      if (showBar) bar.start(1000, 0, { events: 0, rate: 0 });
      const rebuilt = await rebuildFromZero(store, green, {
        to: head,
        onProgress: (p) => {
          if (showBar)
            bar.update(Math.round(p.ratio * 1000), { events: p.events, rate: Math.round(p.eventsPerSecond) });
          gauges.events.set(labels, p.events);
          gauges.ratio.set(labels, p.ratio);
          gauges.rate.set(labels, p.eventsPerSecond);
        },
      });
      if (showBar) bar.stop();
      const raw = await rawReadSpeed(store, green, head);
      gauges.rawRate.set(labels, raw.eventsPerSecond);

      let differences: ReadModelDifference[] | undefined;
      let liveName: string | undefined;
      if (options.verify) {
        const live = new ReadModelProjection(await checkpoints.activeVersion(READ_MODEL));
        liveName = live.name;
        const saved = await checkpoints.load(live.name);
        if (!saved)
          throw new UsageError(
            `no checkpoint of the live read model (${live.name}) in ${config.checkpointPath}: start the API once`,
          );
        live.restore(saved.snapshot);
        await catchUp(store, live, saved.position, head);
        differences = compareReadModels(live, green);
        gauges.equal.set(labels, differences.length === 0 ? 1 : 0);
      }
      const equal = differences === undefined || differences.length === 0;
      const switched = options.switch && equal && rebuilt.position !== null;
      if (switched) {
        await checkpoints.save(green.name, rebuilt.position!, green.snapshot(), new Date());
        await checkpoints.activate(READ_MODEL, green.version!);
      }
      if (options.metricsFile) writeFileSync(options.metricsFile, await gauges.registry.metrics());

      const ratio = raw.eventsPerSecond > 0 ? rebuilt.eventsPerSecond / raw.eventsPerSecond : 0;
      const lines = [
        `rebuilt ${green.name}: ${rebuilt.events} events up to position ${rebuilt.position ?? '-'} in ${rebuilt.seconds.toFixed(2)} s` +
          ` (${Math.round(rebuilt.eventsPerSecond)} events/s; raw read ${Math.round(raw.eventsPerSecond)} events/s; ratio ${ratio.toFixed(2)})`,
      ];
      if (differences !== undefined)
        lines.push(
          equal
            ? `verified: the rebuilt consignments and flags equal the live ones (${liveName})`
            : `DIFFERENT from ${liveName} in ${differences.length} place(s):\n` +
                differences
                  .map(
                    (d) =>
                      `  ${d.subject}\n    live:    ${JSON.stringify(d.live)}\n    rebuilt: ${JSON.stringify(d.rebuilt)}`,
                  )
                  .join('\n'),
        );
      lines.push(
        switched
          ? `switched: ${green.name} is now active (a running API switches within seconds)`
          : 'not switched: the live version stays active',
      );
      print(options, lines.join('\n'), {
        projection: green.name,
        rebuild: rebuilt,
        rawRead: raw,
        ratio,
        verified: differences === undefined ? null : { equal, live: liveName, differences },
        switched,
      });
      process.exitCode = equal ? ExitCode.ok : ExitCode.finding;
    } finally {
      await checkpoints.close();
      await store.close();
    }
  });
}
