import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running module `<dir>/<name>`: its `.js` file in a build, or its `.ts` file compiled as it
 * loads when AidWatch runs from the TypeScript sources (tests, benches, a CLI from the sources).
 * `@swc-node/register` is resolved from this module, so a process started from another directory finds it
 * too. `dir` is the caller's `__dirname`, in a library's `src` folder. Throws as `new Worker` does.
 */
export function startModuleWorker(dir: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSource = __filename.endsWith('.ts');
  return new Worker(path.join(dir, `${name}.${fromSource ? 'ts' : 'js'}`), {
    ...options,
    execArgv: fromSource ? ['--require', require.resolve('@swc-node/register')] : [],
    env: fromSource
      ? {
          ...process.env,
          SWC_NODE_PROJECT: process.env.SWC_NODE_PROJECT ?? path.join(__dirname, '../../../tsconfig.json'),
        }
      : process.env,
  });
}
