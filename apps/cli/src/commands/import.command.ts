import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import { EventTypes, type InputBounded, type InputClosed } from '@aidwatch/domain';
import { ExitCode } from '../cli-program';
import { print, UsageError } from '../store-access';

interface ImportOptions {
  file: string;
  closed?: boolean;
  url: string;
  key?: string;
  batch: string;
  json?: boolean;
}

/** Event time of a CloudEvent as read from a file: `data.at` where it has one, else `time` (ms; NaN if neither). */
function eventTimeOf(event: { time?: unknown; data?: unknown }): number {
  const at = (event.data as { at?: unknown } | undefined)?.at;
  const parsed = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isNaN(parsed) && typeof event.time === 'string' ? Date.parse(event.time) : parsed;
}

/**
 * An input event of `source` at `atMs` (`time`), its id following type, source and time, so an import run
 * again posts the very same event (stored once).
 */
function inputEvent<T extends InputClosed | InputBounded>(
  type: T['type'],
  source: string,
  atMs: number,
  data: (at: string) => T['data'],
): T {
  const at = new Date(atMs).toISOString();
  const kind = type === EventTypes.InputClosed ? 'closed' : 'bounded';
  // A close keeps the digest it always had (source and time), so older imports post the same event again.
  const salt = kind === 'closed' ? '' : `\n${kind}`;
  const digest = createHash('sha256').update(`${source}\n${at}${salt}`).digest('hex').slice(0, 32);
  return {
    specversion: '1.0',
    id: `input-${kind}-${digest}`,
    source,
    type,
    time: at,
    datacontenttype: 'application/json',
    data: data(at),
  } as T;
}

/** The `aidwatch.input.closed.v1` event for `source` ending at `atMs`. */
export const inputClosedEvent = (source: string, atMs: number): InputClosed =>
  inputEvent<InputClosed>(EventTypes.InputClosed, source, atMs, (at) => ({ source, at }));

/** The `aidwatch.input.bounded.v1` event announcing that `source` delivers events up to `untilMs`. */
export const inputBoundedEvent = (source: string, untilMs: number): InputBounded =>
  inputEvent<InputBounded>(EventTypes.InputBounded, source, untilMs, (until) => ({ source, until }));

/**
 * Reference data (port declarations, sanctions listings): shared by every feed and never judged on an input's
 * clock, so `--closed` neither announces nor closes a source that carries only these.
 */
const REFERENCE_TYPES: ReadonlySet<string> = new Set([
  EventTypes.PortDeclared,
  EventTypes.VesselDesignated,
  EventTypes.VesselDesignationRevoked,
]);

/** Notes `event` of the file in `newest` (each source's newest event time, ms), reference data left out. */
function noteNewest(
  newest: Map<string, number>,
  event: { source?: unknown; type?: unknown; time?: unknown },
) {
  if (typeof event.type === 'string' && REFERENCE_TYPES.has(event.type)) return;
  const at = eventTimeOf(event);
  if (typeof event.source === 'string' && Number.isFinite(at))
    newest.set(event.source, Math.max(newest.get(event.source) ?? -Infinity, at));
}

/**
 * Each source of an NDJSON file of CloudEvents with its newest event time (ms), sources of reference data
 * only left out; lines that are not JSON are skipped.
 */
async function newestBySource(file: string): Promise<Map<string, number>> {
  const newest = new Map<string, number>();
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let event: { source?: unknown; type?: unknown; time?: unknown; data?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    noteNewest(newest, event);
  }
  return newest;
}

/**
 * `aidwatch import --file <events.ndjson> [--closed]`: posts the CloudEvents of a file (one JSON event a
 * line) to a running ingestor's `POST /events` in batches (`application/cloudevents-batch+json`, all or
 * nothing per batch), in file order. With `--closed`, the import is a bounded one: before the first event
 * it announces each source the file uses as bounded (`aidwatch.input.bounded.v1`, `until` = that source's
 * newest event time in the file, read in a first pass), so live feeds running ahead meanwhile — a brand-new
 * one included — release nothing of it; after the whole file is accepted it closes them
 * (`aidwatch.input.closed.v1`, `at` = the same time), so detection judges the imported vessels and
 * consignments on their own clock (docs/time-model.md 5). Exit 0 done, 1 a batch refused (its
 * answer printed; the batches before it are stored), 2 bad usage or an unreadable line.
 */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      "post a file of CloudEvents (NDJSON) to a running AidWatch; --closed then says each of the file's sources has ended",
    )
    .requiredOption('--file <events.ndjson>', 'one CloudEvent (JSON) per line')
    .option(
      '--closed',
      'a bounded import: announce every source the file uses as bounded before it (aidwatch.input.bounded.v1), close them after it (aidwatch.input.closed.v1)',
    )
    .option('--url <url>', 'the ingestor (default: AIDWATCH_URL or http://127.0.0.1:3000)')
    .option('--key <token>', 'a producer API key allowed the sources (default: AIDWATCH_API_KEY)')
    .option('--batch <n>', 'events per request', '500')
    .option('--json', 'print the report as JSON')
    .action(async (options: ImportOptions) => {
      const url = (options.url ?? process.env.AIDWATCH_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
      const key = options.key ?? process.env.AIDWATCH_API_KEY;
      if (!key) throw new UsageError('no API key: pass --key or set AIDWATCH_API_KEY');
      const batchSize = Number(options.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError('--batch must be a positive integer');
      if (!fs.existsSync(options.file)) throw new UsageError(`cannot read ${options.file}`);

      const newest = new Map<string, number>();
      /** The file's events posted so far (announcements and closes not counted). */
      let posted = 0;
      let announced: InputBounded[] = [];
      /** Posts a batch; `what` names it in a refusal (the file's events by their number when absent). */
      const post = async (events: unknown[], what?: string): Promise<boolean> => {
        const body = JSON.stringify(events);
        let res: Response;
        let text: string;
        for (;;) {
          res = await fetch(`${url}/events`, {
            method: 'POST',
            headers: {
              'content-type': 'application/cloudevents-batch+json',
              authorization: `Bearer ${key}`,
            },
            body,
          });
          text = await res.text();
          // Over a rate limit (the credential's, or its organisation's LIMIT_TENANT_EVENTS): nothing of the
          // batch was taken; it is sent again once the server says it may be.
          const waitSec = Number(res.headers.get('retry-after'));
          if (res.status !== 429 || !Number.isFinite(waitSec) || waitSec <= 0) break;
          process.stderr.write(`aidwatch import: over a rate limit; sending again in ${waitSec} s\n`);
          await new Promise((resolve) => setTimeout(resolve, waitSec * 1000));
        }
        if (!res.ok) {
          const named = what ?? `events ${posted + 1}-${posted + events.length} of the file`;
          process.stderr.write(`aidwatch import: ${named} refused (${res.status}): ${text}\n`);
          if (announced.length > 0)
            process.stderr.write(
              `aidwatch import: ${announced.map((e) => `${e.data.source} (until ${e.data.until})`).join(', ')} ` +
                'stay announced as bounded: detection holds nothing back for them until they are closed or send a ' +
                'later event; run the import again once the refusal is fixed (events already stored are accepted, ' +
                'not stored twice), and it closes them\n',
            );
          return false;
        }
        if (what === undefined) posted += events.length;
        return true;
      };

      if (options.closed) {
        const bounded = [...(await newestBySource(options.file))]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([s, at]) => inputBoundedEvent(s, at));
        if (bounded.length > 0 && !(await post(bounded, 'the announcement of its sources as bounded')))
          return void (process.exitCode = ExitCode.finding);
        announced = bounded;
      }
      const lines = readline.createInterface({
        input: fs.createReadStream(options.file),
        crlfDelay: Infinity,
      });
      let batch: unknown[] = [];
      let lineNo = 0;
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        let event: { source?: unknown; type?: unknown; time?: unknown; data?: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch (error) {
          throw new UsageError(`${options.file}:${lineNo}: not JSON (${(error as Error).message})`);
        }
        noteNewest(newest, event);
        batch.push(event);
        if (batch.length >= batchSize) {
          if (!(await post(batch))) return void (process.exitCode = ExitCode.finding);
          batch = [];
        }
      }
      if (batch.length > 0 && !(await post(batch))) return void (process.exitCode = ExitCode.finding);

      const closed = options.closed
        ? [...newest]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([s, at]) => inputClosedEvent(s, at))
        : [];
      if (closed.length > 0 && !(await post(closed, 'the close of its sources')))
        return void (process.exitCode = ExitCode.finding);
      const report = {
        events: posted,
        bounded: announced.map((e) => ({ source: e.data.source, until: e.data.until })),
        closed: closed.map((e) => ({ source: e.data.source, at: e.data.at })),
      };
      print(
        options,
        `imported ${report.events} events (each stored once: a repeat is accepted, not stored again)` +
          (closed.length > 0
            ? `; closed ${closed.map((c) => `${c.data.source} at ${c.data.at}`).join(', ')}`
            : ''),
        report,
      );
      process.exitCode = ExitCode.ok;
    });
}
