import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const repositoryRoot = path.resolve(__dirname, '../../../..');
const script = path.join(__dirname, 'checkpoint-parts.worker.ts');

/** Subjects of the checkpoints `checkpoint-parts.worker.ts` writes; the upper half only at even rounds. */
export const CRASH_SUBJECTS = 1000;

/**
 * The round whose value subject `key` holds in a committed checkpoint of round `round`: every round writes the
 * lower half of the subjects, even rounds the upper half too (`checkpoint-parts.worker.ts`).
 */
export function expectedRound(key: number, round: number): number {
  return key < CRASH_SUBJECTS / 2 || round % 2 === 0 ? round : round - 1;
}

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
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script, file], {
    cwd: repositoryRoot,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(repositoryRoot, 'tsconfig.json') },
  });
  const committed: number[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    committed.push(Number(line));
    onCommitted(Number(line), committed.length);
  });
  const exited = Promise.all([
    new Promise<void>((resolve) => lines.once('close', resolve)),
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    ),
  ]).then(([, status]) => ({ ...status, stderr }));
  return { child, committed, exited };
}
