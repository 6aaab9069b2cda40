import { ConfigError } from '@aidwatch/config';
import { buildProgram, ExitCode, type CliCommand } from './cli-program';
import { registerArchiveCommand } from './commands/archive.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerExportCommand } from './commands/export.command';
import { registerForgetCommand } from './commands/forget.command';
import { registerImportCommand } from './commands/import.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerOwnershipCommand } from './commands/ownership.command';
import { registerRebuildCommand } from './commands/rebuild.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerSanctionsCommand } from './commands/sanctions.command';
import { registerVerifyCommand } from './commands/verify.command';
import { UsageError } from './store-access';

// Files the CLI creates (stores, checkpoints, subject keys, archives, `--out` exports) are its user's alone, as
// the services' are (libs/runtime bootstrap).
process.umask(0o077);

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/** Every subcommand, in the order `aidwatch --help` lists them. */
const commands: CliCommand[] = [
  registerKeysCommand,
  registerDemoCommand,
  registerVerifyCommand,
  registerExportCommand,
  registerRebuildCommand,
  registerReplayCommand,
  registerForgetCommand,
  registerArchiveCommand,
  registerSanctionsCommand,
  registerImportCommand,
  registerMigrateCommand,
  registerOwnershipCommand,
];

buildProgram(commands)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`aidwatch: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode =
      error instanceof UsageError || error instanceof ConfigError ? ExitCode.usage : ExitCode.finding;
  });
