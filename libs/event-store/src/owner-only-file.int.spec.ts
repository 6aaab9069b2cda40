import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedEventStore } from './embedded-event-store';

describe('the embedded store file', () => {
  it('is its owner’s alone (0600), with its WAL companions, whatever the umask and even if it existed before', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-mode-'));
    const file = path.join(dir, 'events.sqlite');
    const umask = process.umask(0o022);
    try {
      fs.writeFileSync(file, '');
      fs.chmodSync(file, 0o644);
      const store = new EmbeddedEventStore({ path: file });
      await store.append('s-1', [{ id: '00000000-0000-4000-8000-000000000001', type: 't', data: {} }]);
      for (const f of [file, `${file}-wal`, `${file}-shm`])
        if (fs.existsSync(f)) expect((fs.statSync(f).mode & 0o777).toString(8)).toBe('600');
      expect(fs.existsSync(`${file}-wal`)).toBe(true);
      await store.close();
    } finally {
      process.umask(umask);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
