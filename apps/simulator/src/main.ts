import type { CloudEvent } from '@aidwatch/domain';
import { portDeclaredEvents, simulateTraffic } from '@aidwatch/maritime';
import { SingleBar, Presets } from 'cli-progress';
import { writeFileSync } from 'node:fs';
import { sinkFor } from './event-sinks';
import { parseSimulatorArgs, SimulatorUsageError, USAGE } from './simulator-args';

async function main(argv: string[]): Promise<void> {
  const args = parseSimulatorArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sim = simulateTraffic({
    vessels: args.vessels,
    hours: args.hours,
    seed: args.seed,
    start: args.start,
    downsample: args.downsample,
    anomalySets: args.anomalies,
  });
  if (args.manifest) writeFileSync(args.manifest, JSON.stringify(sim.manifest, null, 2) + '\n');
  for (const name of sim.skipped)
    process.stderr.write(`skipped ${name}: it does not fit into ${args.hours} h\n`);

  const sink = sinkFor(args.to, args.format, args.key);
  const ports = args.skipPorts ? [] : portDeclaredEvents();
  const bar = sink.networked
    ? new SingleBar(
        { format: 'simulate {bar} {value}/{total} events | {eta_formatted} left' },
        Presets.shades_classic,
      )
    : null;
  bar?.start(ports.length + sim.countEvents(), 0);
  let sent = 0;
  let batch: CloudEvent[] = [];
  const flush = async () => {
    await sink.send(batch);
    sent += batch.length;
    bar?.update(sent);
    batch = [];
  };
  try {
    for (const event of concat<CloudEvent>(ports, sim.events())) {
      batch.push(event);
      if (batch.length >= args.batch) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    bar?.stop();
    await sink.close();
  }
  if (sink.networked) {
    process.stderr.write(`sent ${sent} events to ${args.to}; ${sim.manifest.length} planted anomalies\n`);
  }
}

function* concat<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}

// Exit codes as the CLI's: 2 bad usage (with the usage text), 1 a failure on the way (a refused batch).
main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SimulatorUsageError) {
    process.stderr.write(`${message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`simulate: ${message}\n`);
    process.exitCode = 1;
  }
});
