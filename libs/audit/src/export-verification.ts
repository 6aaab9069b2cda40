import { createHash } from 'node:crypto';
import { CHECKPOINT_TYPE, type CheckpointData } from './audit-checkpoint';
import { ChainVerifier, type ChainedEvent, type VerificationReport } from './chain-verifier';
import {
  chainedEventOf,
  EXPORT_COMPLETED_TYPE,
  EXPORT_STARTED_TYPE,
  type ExportedEvent,
} from './export-format';

interface StartedData {
  partialStreams: string[] | '*';
}

/**
 * Verifies an NDJSON export offline, line by line (memory: one entry per stream), as docs/audit.md
 * describes: every event's hash, the links between consecutive revisions, the checkpoint's Merkle root and
 * the heads it records, and the completion line's digest over every byte before it.
 */
export async function verifyExport(
  lines: AsyncIterable<string>,
): Promise<VerificationReport & { checkpointRoot: string | null }> {
  let verifier = new ChainVerifier();
  const digest = createHash('sha256');
  let partial: Set<string> | '*' = new Set();
  let number = 0;
  let completed = false;
  let checkpointRoot: string | null = null;
  const streams = new Set<string>();
  const at = (reason: string) => verifier.fail({ streamId: '', revision: -1, id: '' }, reason, number);
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
      partial = started.partialStreams === '*' ? '*' : new Set(started.partialStreams);
      const gaps = partial;
      verifier = new ChainVerifier({ allowGaps: (streamId) => isPartial(gaps, streamId) });
    } else if (value.type === EXPORT_COMPLETED_TYPE) {
      completed = true;
      const { sha256, ...rest } = value.data as { sha256: string; events: number };
      const unsigned = { ...value, data: rest };
      if (JSON.stringify(value) !== line) at('the completion line is not in its canonical form');
      digest.update(JSON.stringify(unsigned), 'utf8');
      if (digest.digest('hex') !== sha256) at('the completion digest does not match the lines before it');
      if (rest.events !== verifier.report().events - (checkpointRoot === null ? 0 : 1))
        at(`the completion line counts ${rest.events} events`);
      continue;
    } else {
      const event = eventOf(value);
      if (!event) {
        at('not an exported event (stream, revision, metadata or hash missing)');
        break;
      }
      if (value.type === CHECKPOINT_TYPE && number === 2) {
        const checkpoint = (value.data as { data: CheckpointData }).data;
        if (verifier.expectCheckpoint(checkpoint, event, number)) checkpointRoot = checkpoint.root;
      }
      streams.add(event.streamId);
      verifier.evolve(event, number);
    }
    digest.update(line + '\n', 'utf8');
  }
  if (!completed) at('no completion line: the export is truncated');
  if (checkpointRoot === null) at('no checkpoint: the events are not anchored');
  const strict =
    partial === '*' ? new Set<string>() : new Set([...streams].filter((s) => !isPartial(partial, s)));
  for (const missing of verifier.unreachedAnchors(strict))
    verifier.fail(
      { streamId: missing, revision: -1, id: '' },
      'the checkpoint records a head the export does not reach',
    );
  return { ...verifier.report(), checkpointRoot };
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
