import type { Command } from 'commander';
import { serviceSubjectKeyStore } from '@aidwatch/audit';
import { loadConfig } from '@aidwatch/config';
import { ExitCode } from '../cli-program';
import { print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

/** `aidwatch forget <subject>`: crypto-shredding of one data subject's personal data. */
export function registerForgetCommand(program: Command): void {
  withStoreOptions(
    program
      .command('forget')
      .description(
        "destroy a data subject's key (crypto-shredding): their personal data in the log becomes unreadable, the log and its hash chain stay intact and verifiable",
      )
      .argument('<subject>', 'monitor:<monitorId> or recipient:<name as recorded in receivedBy>'),
  ).action(async (subject: string, options: StoreOptions) => {
    if (!/^(monitor|recipient):.+/.test(subject))
      throw new UsageError('the subject is monitor:<monitorId> or recipient:<name>');
    const config = loadConfig({ ...process.env, ...(options.dataDir && { DATA_DIR: options.dataDir }) });
    const keys = serviceSubjectKeyStore(config);
    try {
      const forgotten = await keys.forget(subject);
      print(
        options,
        forgotten
          ? `forgot ${subject}: its key is destroyed; its data now reads as [forgotten]`
          : `no personal data was ever stored for ${subject}`,
        { subject, forgotten },
      );
      process.exitCode = forgotten ? ExitCode.ok : ExitCode.finding;
    } finally {
      await keys.close();
    }
  });
}
