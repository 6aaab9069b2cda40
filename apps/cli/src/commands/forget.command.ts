import type { Command } from 'commander';
import { serviceCheckpointStore, serviceSubjectKeyStore } from '@aidwatch/audit';
import { createApiKeyStore } from '@aidwatch/access';
import { loadConfig } from '@aidwatch/config';
import { ExitCode } from '../cli-program';
import { print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

/**
 * `aidwatch forget <subject>`: crypto-shredding of one data subject's personal data. Idempotent: exit 0
 * whether the key was destroyed now (`forgotten: true`) or there was none to destroy (`forgotten: false`);
 * exit 2 for a subject that is not `monitor:<id>` or `recipient:<name>`.
 */
export function registerForgetCommand(program: Command): void {
  withStoreOptions(
    program
      .command('forget')
      .description(
        "destroy a data subject's key (crypto-shredding): their personal data in the log becomes unreadable, the log and its hash chain stay intact and verifiable; projection snapshots holding it are dropped and rebuilt from the log at the next start (stop the services first)",
      )
      .argument('<subject>', 'monitor:<monitorId> or recipient:<name as recorded in receivedBy>'),
  ).action(async (subject: string, options: StoreOptions) => {
    if (!/^(monitor|recipient):.+/.test(subject))
      throw new UsageError('the subject is monitor:<monitorId> or recipient:<name>');
    const config = loadConfig({ ...process.env, ...(options.dataDir && { DATA_DIR: options.dataDir }) });
    const keys = serviceSubjectKeyStore(config);
    try {
      const forgotten = await keys.forget(subject);
      // Projection snapshots hold what the services read, in clear: on either store, those holding the value
      // are dropped (rebuilt from the log at the next start) and their storage rewritten.
      let rebuilt: string[] = [];
      const value = subject.slice(subject.indexOf(':') + 1);
      const checkpoints = serviceCheckpointStore(config);
      try {
        rebuilt = await checkpoints.dropHolding(value);
      } finally {
        await checkpoints.close();
      }
      // A monitor's API keys name it: they are revoked and name it no more.
      let keysRevoked = 0;
      if (subject.startsWith('monitor:') && config.eventStore.kind !== 'memory') {
        const apiKeys = createApiKeyStore(config);
        try {
          keysRevoked = await apiKeys.forgetMonitor(value);
        } finally {
          await apiKeys.close();
        }
      }
      print(
        options,
        forgotten
          ? `forgot ${subject}: its key is destroyed; its data now reads as [forgotten]` +
              (rebuilt.length > 0 ? `; snapshots to rebuild from the log: ${rebuilt.join(', ')}` : '') +
              (keysRevoked > 0 ? `; its ${keysRevoked} API key(s) revoked` : '')
          : `nothing to forget for ${subject}: no key is held for it (already forgotten, or no personal data was ever stored); forget is idempotent` +
              (keysRevoked > 0 ? `; its ${keysRevoked} API key(s) revoked` : ''),
        {
          subject,
          forgotten,
          ...(rebuilt.length > 0 ? { rebuilt } : {}),
          ...(keysRevoked > 0 ? { keysRevoked } : {}),
        },
      );
      // Idempotent: a subject already forgotten (or never stored) ends in the state asked for.
      process.exitCode = ExitCode.ok;
    } finally {
      await keys.close();
    }
  });
}
