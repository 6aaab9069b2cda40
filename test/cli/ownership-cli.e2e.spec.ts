import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { startTestSystem, type TestSystem } from '../support';
import { runAidwatch } from '../support/aidwatch-cli';

/*
 * `aidwatch ownership prefixes claim|list` against a running AidWatch: a claim made from the command line
 * is judged and stored as over `POST /admin/ownership/prefixes`, with the same refusals, and binds
 * registrations at once.
 */
describe('aidwatch ownership prefixes', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  let producerOfB: string;
  const cli = (args: string[], key = system.keys.operator) =>
    runAidwatch(['ownership', 'prefixes', ...args, '--url', system.url, '--key', key], {});

  beforeAll(async () => {
    system = await startTestSystem({ RATE_LIMIT_REQUESTS: '100000' });
    // Organisation A is known by a credential, B by a credential and an exemption of its own.
    system.credential({ role: 'producer', tenant: 'ORG-A', sources: ['/org/a/*'] });
    producerOfB = system.credential({ role: 'producer', tenant: 'ORG-B', sources: ['/org/b/*'] });
    const res = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      as: system.credential({ role: 'producer', sources: ['*'] }),
      body: JSON.stringify(
        exemptionGranted({ id: 'g-b', data: { exemptionId: 'EX-B', implementingOrg: 'ORG-B' } }),
      ),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('claims a prefix, lists it, and the claim binds registrations at once', async () => {
    const claim = await cli([
      'claim',
      '--org',
      'ORG-A',
      '--prefix',
      'ORGA-',
      '--reason',
      'company prefix',
      '--json',
    ]);
    expect(claim.stderr).toBe('');
    expect(claim.code).toBe(0);
    expect(JSON.parse(claim.stdout)).toMatchObject({
      type: 'aidwatch.ownership.prefix-claimed.v1',
      data: { org: 'ORG-A', prefix: 'ORGA-', reason: 'company prefix' },
    });
    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ORGA-\tORG-A\t\S+\tkey:\S+\tcompany prefix$/m);
    // B's producer cannot register an id in A's namespace, though the exemption is B's.
    const squat = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      as: producerOfB,
      body: JSON.stringify(
        consignmentRegistered({
          id: 'r-squat',
          source: '/org/b/logistics',
          subject: 'ORGA-0001',
          data: { consignmentId: 'ORGA-0001', exemptionId: 'EX-B' },
        }),
      ),
      headers: { 'content-type': 'application/json' },
    });
    expect(squat.status).toBe(403);
  });

  it('refuses as the endpoint does: overlap 409, unknown organisation 404 unless forced, non-operator 403', async () => {
    const overlap = await cli(['claim', '--org', 'ORG-B', '--prefix', 'ORGA-9', '--reason', 'mine']);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/refused \(409\).*overlaps/);
    const unknown = await cli([
      'claim',
      '--org',
      'ORG-NEW',
      '--prefix',
      'NEW-',
      '--reason',
      'not yet onboarded',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/refused \(404\).*not known/);
    const forced = await cli([
      'claim',
      '--org',
      'ORG-NEW',
      '--prefix',
      'NEW-',
      '--reason',
      'onboarding',
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^claimed NEW- for ORG-NEW/);
    const byProducer = await cli(
      ['claim', '--org', 'ORG-B', '--prefix', 'ORGB-', '--reason', 'mine'],
      producerOfB,
    );
    expect(byProducer.code).toBe(1);
    expect(byProducer.stderr).toMatch(/refused \(403\)/);
    const list = await cli(['list', '--json']);
    expect(
      (JSON.parse(list.stdout) as { items: Array<{ prefix: string }> }).items.map((c) => c.prefix),
    ).toEqual(['ORGA-', 'NEW-']);
  });

  it('says how to use it without a key (exit 2)', async () => {
    const run = await runAidwatch(['ownership', 'prefixes', 'list', '--url', system.url], {
      AIDWATCH_API_KEY: '',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no API key/);
  });
});
