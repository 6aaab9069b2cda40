import { createHash } from 'node:crypto';
import { CHECKPOINT_TYPE, type CheckpointData } from './audit-checkpoint';
import { ChainVerifier, type ChainedEvent, type VerificationReport } from './chain-verifier';
import type { ExportedScope } from './event-export';
import {
  chainedEventOf,
  EXPORT_COMPLETED_TYPE,
  EXPORT_STARTED_TYPE,
  type ExportedEvent,
} from './export-format';
import { comparePositions } from './store-reading';

interface StartedData {
  scope?: ExportedScope;
  partialStreams: string[] | '*';
}

/**
 * Verifies an NDJSON export offline, line by line (memory: one entry per stream), as docs/audit.md
 * describes: every event's hash, the links between consecutive revisions, the checkpoint's Merkle root and
 * the heads it records, and the completion line's digest over every byte before it. A retention archive
 * (scope `archive`) has no checkpoint (its record in the store anchors it); its events must be recorded
 * before its `before` and stored at or before its `upToPosition`. Lines that cannot be read (a corrupt
 * gzip file) are reported as broken where reading stopped.
 */
export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<VerificationReport & { checkpointRoot: string | null }> {
  let verifier = new ChainVerifier();
  const digest = new ExportDigest();
  let partial = new Set() as Set<string> | '*';
  let number = 0;
  let completed = false;
  let checkpointRoot: string | null = null;
  let archive: Extract<ExportedScope, { kind: 'archive' }> | undefined;
  const streams = new Set<string>();
  // The anchoring checkpoint (line 2) is the newest of its stream: a time range may also hold earlier
  // checkpoints, which come after it in the file. Its chain link is checked after every other event, so it
  // follows the last of them (or a gap, its stream being partial), as it does in the store.
  let anchor: { event: ChainedEvent; line: number } | undefined;
  const linkAnchor = () => {
    if (anchor) verifier.evolve(anchor.event, anchor.line);
    anchor = undefined;
  };
  const at = (reason: string) => verifier.fail({ streamId: '', revision: -1, id: '' }, reason, number);
  try {
    await readLines();
  } catch (error) {
    number++;
    at(`the file cannot be read: ${(error as Error).message}`);
    return { ...verifier.report(), checkpointRoot };
  }
  async function readLines(): Promise<void> {
    for await (const line of lines) {
      number++;
      if (completed) {
        at('lines after the completion line');
        break;
      }
      let value: { type?: string; data?: unknown } & Partial<ExportedEvent>;
      try {
        value = JSON.parse(line) as typeof value;
      } catch {
        at('not a JSON line');
        break;
      }
      if (number === 1) {
        if (value.type !== EXPORT_STARTED_TYPE) {
          at(`the first line is not ${EXPORT_STARTED_TYPE}`);
          break;
        }
        const started = value.data as StartedData;
        if (started.scope?.kind === 'archive') archive = started.scope;
        partial = started.partialStreams === '*' ? '*' : new Set(started.partialStreams);
        const gaps = partial;
        verifier = new ChainVerifier({ allowGaps: (streamId) => isPartial(gaps, streamId) });
      } else if (value.type === EXPORT_COMPLETED_TYPE) {
        completed = true;
        linkAnchor();
        const completion = digest.complete(line, value);
        for (const problem of completion.problems) at(problem);
        if (completion.events !== verifier.report().events - (checkpointRoot === null ? 0 : 1))
          at(`the completion line counts ${completion.events} events`);
        continue;
      } else {
        const event = eventOf(value);
        if (!event) {
          at('not an exported event (stream, revision, metadata or hash missing)');
          break;
        }
        streams.add(event.streamId);
        if (value.type === CHECKPOINT_TYPE && number === 2) {
          const checkpoint = (value.data as { data: CheckpointData }).data;
          if (verifier.expectCheckpoint(checkpoint, event, number)) checkpointRoot = checkpoint.root;
          anchor = { event, line: number };
        } else verifier.evolve(event, number);
        if (archive) checkArchived(value, event);
      }
      digest.line(line);
    }
  }
  function checkArchived(value: Partial<ExportedEvent>, event: ChainedEvent): void {
    const scope = archive as NonNullable<typeof archive>;
    if (typeof value.time !== 'string' || !(Date.parse(value.time) < Date.parse(scope.before)))
      verifier.fail(event, `recorded at ${value.time}, not before the archive's ${scope.before}`, number);
    else if (
      typeof value.aidwatchposition !== 'string' ||
      !/^\d+(\/\d+)?$/.test(value.aidwatchposition) ||
      comparePositions(value.aidwatchposition, scope.upToPosition) > 0
    )
      verifier.fail(
        event,
        `position ${value.aidwatchposition} is after the archive's ${scope.upToPosition}`,
        number,
      );
  }
  linkAnchor();
  if (!completed) at('no completion line: the export is truncated');
  if (checkpointRoot === null && !archive) at('no checkpoint: the events are not anchored');
  const strict =
    partial === '*' ? new Set<string>() : new Set([...streams].filter((s) => !isPartial(partial, s)));
  for (const missing of verifier.unreachedAnchors(strict))
    verifier.fail(
      { streamId: missing, revision: -1, id: '' },
      'the checkpoint records a head the export does not reach',
    );
  return { ...verifier.report(), checkpointRoot };
}

/**
 * The digest of an NDJSON export as its completion line states it: SHA-256 over every line before it
 * (newline included), then the completion line serialised without `sha256` (docs/audit.md).
 */
export class ExportDigest {
  private readonly hash = createHash('sha256');

  /** A line before the completion line, as read (without its newline). */
  line(line: string): void {
    this.hash.update(line + '\n', 'utf8');
  }

  /** Checks the completion line (as read, and parsed): its digest and its canonical form. */
  complete(
    line: string,
    value: { data?: unknown },
  ): { sha256: string | undefined; events: number | undefined; problems: string[] } {
    const problems: string[] = [];
    const { sha256, ...rest } = (value.data ?? {}) as { sha256?: string; events?: number };
    if (JSON.stringify(value) !== line) problems.push('the completion line is not in its canonical form');
    this.hash.update(JSON.stringify({ ...value, data: rest }), 'utf8');
    if (this.hash.digest('hex') !== sha256)
      problems.push('the completion digest does not match the lines before it');
    return { sha256, events: rest.events, problems };
  }
}

const isPartial = (partial: Set<string> | '*', streamId: string) =>
  partial === '*' || partial.has(streamId) || streamId === 'audit-checkpoints';

function eventOf(value: Partial<ExportedEvent>): ChainedEvent | undefined {
  if (
    typeof value.id !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.aidwatchstream !== 'string' ||
    !Number.isInteger(value.aidwatchrevision) ||
    typeof value.aidwatchmetadata !== 'string' ||
    typeof value.aidwatchprevious !== 'string' ||
    typeof value.aidwatchhash !== 'string'
  )
    return undefined;
  try {
    return chainedEventOf(value as ExportedEvent);
  } catch {
    return undefined;
  }
}
