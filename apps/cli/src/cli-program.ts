import { Command } from 'commander';

/**
 * A subcommand of `aidwatch`: registers itself (name, options, action) on the program. Each command
 * lives in `commands/<name>.command.ts`; an action sets `process.exitCode` (0 ok, 1 a finding such as a
 * failed verification, 2 bad usage or configuration) rather than calling `process.exit`.
 */
export type CliCommand = (program: Command) => void;

/** Exit codes shared by every subcommand. */
export const ExitCode = { ok: 0, finding: 1, usage: 2 } as const;

export function buildProgram(commands: readonly CliCommand[]): Command {
  const program = new Command('aidwatch')
    .description(
      'AidWatch operator tools: credentials, demo data, audit verification, export, rebuild, replay, forgetting',
    )
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander's own help / version output is a success; a usage error is exit code 2.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
      process.exit(ExitCode.usage);
    });
  for (const register of commands) register(program);
  return program;
}
