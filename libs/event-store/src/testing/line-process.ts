import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const repositoryRoot = path.resolve(__dirname, '../../../..');

export interface LineProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited and its output has been read to the end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * Runs the TypeScript module `script` in a Node process of its own (through @swc-node/register, from the
 * repository's root) with `args`, and calls `onLine` with each line it prints; for crash tests that kill it.
 */
export function startLineProcess(
  script: string,
  args: readonly string[],
  onLine: (line: string) => void,
): LineProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(repositoryRoot, 'tsconfig.json') },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', onLine);
  const exited = Promise.all([
    new Promise<void>((resolve) => lines.once('close', resolve)),
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    ),
  ]).then(([, status]) => ({ ...status, stderr }));
  return { child, exited };
}
