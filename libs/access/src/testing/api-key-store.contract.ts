import { parseApiKey, secretMatches } from '../api-key';
import type { ApiKeyStore } from '../api-key-store';
import { Authenticator } from '../authenticator';
import { AuthenticationError } from '../principal';

export interface ApiKeyStoreFixture {
  /** A store on the fixture's data, as another process would open it (no memory shared with others). */
  open(clock?: () => Date): ApiKeyStore;
  dispose(): Promise<void>;
}

/** What every ApiKeyStore adapter does, as a jest suite; `factory` gives fresh, empty data per case. */
export function describeApiKeyStoreContract(name: string, factory: () => Promise<ApiKeyStoreFixture>): void {
  describe(`${name} meets the API key store contract`, () => {
    let fixture: ApiKeyStoreFixture;
    let opened: ApiKeyStore[] = [];
    const open = (clock?: () => Date) => {
      const store = fixture.open(clock);
      opened.push(store);
      return store;
    };
    beforeEach(async () => {
      fixture = await factory();
      opened = [];
    });
    afterEach(async () => {
      for (const store of opened) await store.close();
      await fixture.dispose();
    });

    it('keeps only a salted hash of the secret, and every other instance finds the key at once', async () => {
      const a = open();
      const b = open();
      const { record, key } = await a.create({ role: 'dashboard', tenant: 'WFP', label: 'ops desk' });
      const parsed = parseApiKey(key)!;
      expect(parsed.id).toBe(record.id);
      const stored = await b.find(record.id);
      expect(stored).toMatchObject({ id: record.id, role: 'dashboard', tenant: 'WFP', label: 'ops desk' });
      expect(stored!.createdAt).toBe(record.createdAt);
      expect(JSON.stringify(stored)).not.toContain(parsed.secret);
      expect(secretMatches(parsed.secret, stored!.salt, stored!.hash)).toBe(true);
      expect(secretMatches(`${parsed.secret}x`, stored!.salt, stored!.hash)).toBe(false);
      expect(await b.find('k_unknown')).toBeUndefined();
    });

    it('a key created on one instance authenticates on another; revoked on a third, it is refused', async () => {
      const a = open();
      const b = open();
      const c = open();
      const { record, key } = await a.create({ role: 'monitor', tenant: 'UNICEF', monitorId: 'MON-017' });
      const principal = await new Authenticator(b).authenticate(`Bearer ${key}`);
      expect(principal).toEqual({
        subject: `key:${record.id}`,
        role: 'monitor',
        tenant: 'UNICEF',
        monitorId: 'MON-017',
      });
      expect(await c.revoke(record.id)).toBe(true);
      await expect(new Authenticator(b).authenticate(`Bearer ${key}`)).rejects.toThrow(AuthenticationError);
      await expect(new Authenticator(b).authenticate(`Bearer ${key}`)).rejects.toThrow(/revoked/);
    });

    it('lists every key oldest first, revoked ones included, never a salt or hash', async () => {
      let now = Date.parse('2026-03-01T10:00:00.000Z');
      const a = open(() => new Date((now += 1000)));
      const first = await a.create({ role: 'admin' });
      const second = await a.create({ role: 'producer', sources: ['wfp-lmms', 'ais-feed'] });
      await a.revoke(first.record.id);
      const listed = await open().list();
      expect(listed.map((r) => r.id)).toEqual([first.record.id, second.record.id]);
      expect(listed[0]).toEqual({
        id: first.record.id,
        role: 'admin',
        createdAt: '2026-03-01T10:00:01.000Z',
        revokedAt: '2026-03-01T10:00:03.000Z',
      });
      expect(listed[1]).toEqual({
        id: second.record.id,
        role: 'producer',
        sources: ['wfp-lmms', 'ais-feed'],
        createdAt: '2026-03-01T10:00:02.000Z',
      });
    });

    it('forgetting a monitor revokes its keys and leaves its id nowhere in them; a second forget changes nothing', async () => {
      const a = open();
      const mine = await a.create({ role: 'monitor', tenant: 'WFP', monitorId: 'MON-WFP-017' });
      const other = await a.create({ role: 'monitor', tenant: 'WFP', monitorId: 'MON-WFP-0170' });
      expect(await a.forgetMonitor('MON-WFP-017')).toBe(1);
      const b = open();
      const forgotten = await b.find(mine.record.id);
      expect(forgotten?.monitorId).toBe('[forgotten]');
      expect(forgotten?.revokedAt).toBeDefined();
      await expect(new Authenticator(b).authenticate(`Bearer ${mine.key}`)).rejects.toThrow(/revoked/);
      expect((await b.find(other.record.id))?.monitorId).toBe('MON-WFP-0170');
      expect(JSON.stringify(await b.list())).not.toMatch(/MON-WFP-017"/);
      expect(await b.forgetMonitor('MON-WFP-017')).toBe(0);
    });

    it('revoking twice keeps the first time; an unknown id is reported as not found', async () => {
      let now = Date.parse('2026-03-01T10:00:00.000Z');
      const a = open(() => new Date((now += 60_000)));
      const { record } = await a.create({ role: 'operator' });
      expect(await a.revoke(record.id)).toBe(true);
      expect(await open(() => new Date('2026-04-01T00:00:00.000Z')).revoke(record.id)).toBe(true);
      expect((await open().find(record.id))!.revokedAt).toBe('2026-03-01T10:02:00.000Z');
      expect(await a.revoke('k_doesnotexist')).toBe(false);
    });
  });
}
