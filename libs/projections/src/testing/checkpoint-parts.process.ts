import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { startLineProcess } from '@aidwatch/event-store/testing';

const script = path.join(__dirname, 'checkpoint-parts.worker.ts');

export interface CheckpointPartsProcess {
  child: ChildProcessWithoutNullStreams;
  /** Rounds whose commit resolved, in order. */
  committed: number[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * Starts `checkpoint-parts.worker.ts` in its own Node process (TypeScript through @swc-node/register): it writes
 * checkpoint after checkpoint, in parts, into the SQLite checkpoint file `file`, and prints each committed round.
 */
export function startCheckpointPartsProcess(
  file: string,
  onCommitted: (round: number, count: number) => void,
): CheckpointPartsProcess {
  const committed: number[] = [];
  const { child, exited } = startLineProcess(script, [file], (line) => {
    committed.push(Number(line));
    onCommitted(Number(line), committed.length);
  });
  return { child, committed, exited };
}
