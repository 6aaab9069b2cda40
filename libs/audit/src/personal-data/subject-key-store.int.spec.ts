import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeSubjectKeyStoreContract } from '../testing/subject-key-store.contract';
import { PostgresSubjectKeyStore } from './postgres-subject-key-store';
import { SqliteSubjectKeyStore, subjectKeyId } from './subject-key-store';

describeSubjectKeyStoreContract('SqliteSubjectKeyStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-subject-keys-'));
  return {
    open: () => new SqliteSubjectKeyStore(path.join(dir, 'subject-keys.sqlite')),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describeWithPostgres('PostgresSubjectKeyStore', () => {
  describeSubjectKeyStoreContract('PostgresSubjectKeyStore', async () => {
    const database = await createTestDatabase('subjectkeys');
    return {
      // Every store is another process: without a cache, a forget elsewhere is seen at once.
      open: () => new PostgresSubjectKeyStore({ connectionString: database.url, cacheMs: 0 }),
      dispose: () => database.drop(),
    };
  });

  it('a running service stops opening a forgotten subject once its cached key expires', async () => {
    const database = await createTestDatabase('subjectkeys');
    const service = new PostgresSubjectKeyStore({ connectionString: database.url, cacheMs: 300 });
    const cli = new PostgresSubjectKeyStore({ connectionString: database.url });
    const id = subjectKeyId('monitor:MON-017');
    try {
      await service.keysFor([id]);
      await cli.forget('monitor:MON-017');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await service.lookup([id])).get(id)).toBeNull();
    } finally {
      await service.close();
      await cli.close();
      await database.drop();
    }
  });
});
