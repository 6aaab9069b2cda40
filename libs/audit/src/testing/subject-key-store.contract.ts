import { subjectKeyId, type SubjectKeyStore } from '../personal-data/subject-key-store';

export interface SubjectKeyFixture {
  /** A new store on the fixture's data, as another process would open it (no memory shared with others). */
  open(): SubjectKeyStore;
  dispose(): Promise<void>;
}

/** What every SubjectKeyStore adapter does, as a jest suite; `factory` gives fresh, empty data per case. */
export function describeSubjectKeyStoreContract(
  name: string,
  factory: () => Promise<SubjectKeyFixture>,
): void {
  describe(`${name} meets the subject key store contract`, () => {
    let fixture: SubjectKeyFixture;
    let opened: SubjectKeyStore[] = [];
    const open = () => {
      const store = fixture.open();
      opened.push(store);
      return store;
    };
    const monitor = subjectKeyId('monitor:MON-017');
    const recipient = subjectKeyId('recipient:Kim');
    beforeEach(async () => {
      fixture = await factory();
      opened = [];
    });
    afterEach(async () => {
      for (const store of opened) await store.close();
      await fixture.dispose();
    });

    it('creates a 32-byte key per subject on first use and gives the same one to every process after', async () => {
      const first = await open().keysFor([monitor, recipient, monitor]);
      const again = await open().keysFor([recipient, monitor]);
      expect(first.get(monitor)).toHaveLength(32);
      expect(first.get(monitor)).not.toEqual(first.get(recipient));
      expect(again.get(monitor)).toEqual(first.get(monitor));
      expect(again.get(recipient)).toEqual(first.get(recipient));
    });

    it('processes creating the same subject’s key at once all get the one that won', async () => {
      const results = await Promise.all([open(), open(), open()].map((store) => store.keysFor([monitor])));
      const keys = results.map((found) => found.get(monitor)?.toString('hex'));
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    });

    it('looks keys up without creating any: a subject never seen is absent', async () => {
      const store = open();
      expect((await store.lookup([monitor])).has(monitor)).toBe(false);
      await store.keysFor([monitor]);
      expect((await open().lookup([monitor, recipient])).get(monitor)).toHaveLength(32);
      expect((await open().lookup([recipient])).has(recipient)).toBe(false);
    });

    it('forgetting destroys the key for every process, for good; a subject never seen is not forgotten', async () => {
      const reader = open();
      await reader.keysFor([monitor, recipient]);
      expect(await open().forget('monitor:MON-017')).toBe(true);
      expect(await open().forget('monitor:MON-017')).toBe(false); // already destroyed: nothing to destroy now
      expect(await open().forget('monitor:never-seen')).toBe(false);

      const later = open();
      expect((await later.lookup([monitor])).get(monitor)).toBeNull();
      expect((await later.keysFor([monitor])).get(monitor)).toBeNull();
      expect((await later.lookup([recipient])).get(recipient)).toHaveLength(32);
    });
  });
}
