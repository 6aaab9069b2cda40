import { execFile } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `aidwatch …` as an operator would (the bin script, from the TypeScript sources). */
export function runAidwatch(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/aidwatch.js'), ...args],
      {
        env: { ...process.env, AIDWATCH_CLI_FROM_SOURCE: 'true', LOG_LEVEL: 'silent', ...env },
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
