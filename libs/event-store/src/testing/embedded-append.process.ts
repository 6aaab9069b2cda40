import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const repositoryRoot = path.resolve(__dirname, '../../../..');
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
  const child = spawn(process.execPath, ['-r', '@swc-node/register', worker, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(repositoryRoot, 'tsconfig.json') },
  });
  const acknowledged: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    acknowledged.push(line);
    options.onAcknowledged?.(acknowledged.length);
  });
  const exited = Promise.all([
    new Promise<void>((resolve) => lines.once('close', resolve)),
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    ),
  ]).then(([, status]) => ({ ...status, stderr }));
  return { child, acknowledged, exited };
}
