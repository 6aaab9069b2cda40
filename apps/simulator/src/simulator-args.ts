import { parseArgs } from 'node:util';

export interface SimulatorArgs {
  vessels: number;
  hours: number;
  seed: number;
  start: string;
  downsample: number;
  anomalies?: number;
  /** `stdout`, an `http(s)://…/events` URL or `kafka://host:port[,host:port]`. */
  to: string;
  format: 'ndjson' | 'nmea';
  manifest?: string;
  /** Bearer credential for `--to http(s)://…` (`--key`, else `AIDWATCH_KEY`): a producer key allowed its sources. */
  key?: string;
  batch: number;
  skipPorts: boolean;
  help: boolean;
}

export const USAGE = `Simulated AIS traffic for AidWatch, with planted anomalies and their ground truth.

  npm run simulate -- [options]

  --vessels <n>        vessels in the fleet (default 50); 7 of them carry one set of planted anomalies
  --hours <n>          simulated hours (default 48)
  --seed <n>           seed of the random generator (default 7): the same seed gives the same events
  --start <time>       RFC 3339 start (default 2026-11-01T00:00:00Z)
  --downsample <n>     keep one report in n, as a receiver with partial coverage would (default 1)
  --anomalies <n>      sets of planted anomalies (default 1 when there are enough vessels)
  --to <target>        stdout (default) | http://127.0.0.1:3000/events | kafka://127.0.0.1:19092
  --format <f>         on stdout: ndjson (CloudEvents, default) or nmea (!AIVDM sentences with tag blocks)
  --manifest <file>    write the planted anomalies as JSON: [{rule, mmsis, from, to, detail}]
  --key <key>          API key for --to http(s)://… (default: the AIDWATCH_KEY environment variable); a
                       producer key whose sources include urn:aidwatch:simulator and
                       urn:aidwatch:reference:default-ports (the demo's producer tenant=* key does)
  --batch <n>          events per HTTP request or Kafka batch (default 500)
  --skip-ports         do not send the default port declarations first
  --help               this text
`;

/** Bad usage (an unknown option, a bad value, a missing key): the simulator exits 2. */
export class SimulatorUsageError extends Error {}

/**
 * The simulator's options from its command line (`argv` without node and script) and environment (only
 * `AIDWATCH_KEY`). Throws SimulatorUsageError naming the option at fault.
 */
export function parseSimulatorArgs(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): SimulatorArgs {
  try {
    return parse(argv, env);
  } catch (error) {
    throw error instanceof SimulatorUsageError ? error : new SimulatorUsageError((error as Error).message);
  }
}

function parse(argv: string[], env: Record<string, string | undefined>): SimulatorArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      vessels: { type: 'string', default: '50' },
      hours: { type: 'string', default: '48' },
      seed: { type: 'string', default: '7' },
      start: { type: 'string', default: '2026-11-01T00:00:00Z' },
      downsample: { type: 'string', default: '1' },
      anomalies: { type: 'string' },
      to: { type: 'string', default: 'stdout' },
      format: { type: 'string', default: 'ndjson' },
      manifest: { type: 'string' },
      key: { type: 'string' },
      batch: { type: 'string', default: '500' },
      'skip-ports': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const format = values.format as string;
  if (format !== 'ndjson' && format !== 'nmea')
    throw new Error(`--format must be ndjson or nmea, got "${format}"`);
  const to = values.to as string;
  if (to !== 'stdout' && !/^(https?|kafka):\/\//.test(to)) {
    throw new Error(`--to must be stdout, an http(s):// URL or kafka://host:port, got "${to}"`);
  }
  if (format === 'nmea' && to !== 'stdout') throw new Error('--format nmea is only for --to stdout');
  if (Number.isNaN(Date.parse(values.start as string))) throw new Error(`--start must be an RFC 3339 time`);
  const key = (values.key as string | undefined) ?? (env.AIDWATCH_KEY || undefined);
  if (/^https?:\/\//.test(to) && key === undefined && !values.help)
    throw new Error(
      `--to ${to} needs a producer key: --key <key> or AIDWATCH_KEY=<key> (npm start prints one as AIDWATCH_DEMO_KEY role=producer tenant=*)`,
    );
  if (key !== undefined && !/^[\x21-\x7e]+$/.test(key))
    throw new Error('--key must be a bearer token (printable characters, no spaces)');
  return {
    vessels: integer('vessels', values.vessels as string, 1),
    hours: number('hours', values.hours as string),
    seed: integer('seed', values.seed as string, 0),
    start: values.start as string,
    downsample: integer('downsample', values.downsample as string, 1),
    anomalies:
      values.anomalies === undefined ? undefined : integer('anomalies', values.anomalies as string, 0),
    to,
    format,
    manifest: values.manifest as string | undefined,
    key,
    batch: integer('batch', values.batch as string, 1),
    skipPorts: values['skip-ports'] as boolean,
    help: values.help as boolean,
  };
}

function integer(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function number(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}
