import { EventTypes, StreamNames } from '@aidwatch/domain';
import * as sample from '@aidwatch/domain/testing';
import { koboDenial, koboVisit, odkVisit } from '@aidwatch/intake/testing';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';

// Monitors' submissions as KoboToolbox (REST Services) and ODK Central send them, posted to the running
// system with a monitor's credential.

describe('field intake: POST /intake/kobo and /intake/odk', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  let monitor: string;
  const consignment = sample.SampleIds.consignmentId;

  const submit = (tool: 'kobo' | 'odk', body: unknown, as: string | null = monitor) =>
    system.fetch(`${system.url}/intake/${tool}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      as,
    });
  const verifications = async () => {
    const res = await system.fetch(`${system.url}/streams/${StreamNames.consignment(consignment)}`);
    const body = (await res.json()) as {
      events: Array<{ type: string; event: { id: string; data: object } }>;
    };
    return body.events.filter((e) => e.type.startsWith('aidwatch.verification.'));
  };

  beforeAll(async () => {
    system = await startTestSystem();
    const reference = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify([sample.exemptionGranted(), sample.consignmentRegistered()]),
    });
    expect(reference.status).toBe(202);
    monitor = system.credential({
      role: 'monitor',
      tenant: sample.exemptionGranted().data.implementingOrg,
      monitorId: sample.SampleIds.monitorId,
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('stores a KoboToolbox visit once, however often KoboToolbox retries it', async () => {
    const first = await submit('kobo', koboVisit());
    expect(first.status).toBe(202);
    const { accepted } = (await first.json()) as { accepted: string[] };
    expect(accepted).toEqual(['kobo-6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c-48213907']);
    expect((await submit('kobo', koboVisit())).status).toBe(202);
    const stored = (await verifications()).filter((e) => e.event.id === accepted[0]);
    expect(stored).toHaveLength(1);
    expect(stored[0].type).toBe(EventTypes.VerificationReported);
    expect(stored[0].event.data).toMatchObject({
      observed: [
        { itemCode: 'RUTF', quantity: 1180 },
        { itemCode: 'FBF-SC', quantity: 12.5 },
      ],
      finding: 'discrepancy',
      at: '2024-03-25T05:00:00.000Z',
    });
  });

  it('stores a denied visit from KoboToolbox and a visit from ODK Central', async () => {
    expect((await submit('kobo', koboDenial())).status).toBe(202);
    expect((await submit('odk', odkVisit())).status).toBe(202);
    const types = (await verifications()).map((e) => [e.event.id, e.type]);
    expect(types).toEqual(
      expect.arrayContaining([
        ['kobo-6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c-48213911', EventTypes.AccessDenied],
        ['odk-uuid:0c1e7c1a-2d2b-4c8e-8f0a-6d5b4a3c2b1a', EventTypes.VerificationReported],
      ]),
    );
  });

  it('answers 422 with the reasons and stores nothing when a submission cannot be mapped', async () => {
    const before = (await verifications()).length;
    const res = await submit(
      'kobo',
      koboVisit({ _id: 48213999, 'visit/finding': 'fine', 'visit/location': '', _geolocation: [null, null] }),
    );
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; details: Array<{ field: string }> };
    expect(body.error).toMatch(/does not map/);
    expect(body.details.map((d) => d.field)).toEqual(['visit/location', 'visit/finding']);
    expect((await submit('odk', { visit: {} })).status).toBe(422);
    expect((await verifications()).length).toBe(before);
  });

  it('takes submissions from monitors only, for their own organisation and monitor id', async () => {
    expect((await submit('kobo', koboVisit(), null)).status).toBe(401);
    expect((await submit('kobo', koboVisit(), system.keys.producer)).status).toBe(403);
    const other = system.credential({ role: 'monitor', tenant: 'Another Org', monitorId: 'MON-017' });
    expect((await submit('kobo', koboVisit({ _id: 48213950 }), other)).status).toBe(403);
  });
});
