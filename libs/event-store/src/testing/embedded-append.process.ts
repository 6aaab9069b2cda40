import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { startLineProcess } from './line-process';

const worker = path.join(__dirname, 'embedded-append.worker.ts');

export interface AppendProcess {
  child: ChildProcessWithoutNullStreams;
  /** Event ids in the order the worker acknowledged them. */
  acknowledged: string[];
  /** Resolves when the worker has exited and its output has been read to the end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts embedded-append.worker.ts in its own Node process (TypeScript through @swc-node/register). */
export function startAppendProcess(
  file: string,
  stream: string,
  options: {
    count?: number;
    maxBatch?: number;
    writer?: 'inline' | 'worker';
    onAcknowledged?: (count: number) => void;
  } = {},
): AppendProcess {
  const args = [
    file,
    stream,
    String(options.count ?? ''),
    String(options.maxBatch ?? 5),
    options.writer ?? 'inline',
  ];
  const acknowledged: string[] = [];
  const { child, exited } = startLineProcess(worker, args, (line) => {
    acknowledged.push(line);
    options.onAcknowledged?.(acknowledged.length);
  });
  return { child, acknowledged, exited };
}
