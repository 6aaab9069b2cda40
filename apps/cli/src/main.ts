import { buildProgram, type CliCommand } from './cli-program';

/** Every subcommand, in the order `aidwatch --help` lists them. */
const commands: CliCommand[] = [];

buildProgram(commands)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`aidwatch: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  });
