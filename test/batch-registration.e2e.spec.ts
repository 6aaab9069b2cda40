import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  SampleIds,
} from '@aidwatch/domain/testing';
import { startTestSystem, type TestSystem } from '@aidwatch/testing';

const BATCH = 'application/cloudevents-batch+json';
const ORG = 'World Food Programme';

/** `POST /events` with one batch holding a consignment's registration and its follow-up events. */
describe('a batch may carry a registration with its follow-ups', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  let wfp: string;
  let other: string;

  beforeAll(async () => {
    system = await startTestSystem();
    wfp = system.credential({ role: 'producer', tenant: ORG, sources: ['*'] });
    other = system.credential({ role: 'producer', tenant: 'UNICEF', sources: ['*'] });
  });
  afterAll(() => system?.stop());

  const post = (key: string, events: unknown[]) =>
    system.fetch(`${system.url}/events`, {
      method: 'POST',
      as: key,
      headers: { 'content-type': BATCH },
      body: JSON.stringify(events),
    });

  it("another organisation's producer gets 403 for the whole batch, naming each event", async () => {
    // Without a grant in it (a type it may not write is refused before anything else is judged).
    const response = await post(other, [consignmentRegistered(), consignmentLoaded()]);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { details: Array<{ index: number; reason: string }> };
    expect(body.details.map((d) => d.index)).toEqual([0, 1]);
  });

  it("an organisation's producer may not grant even its own exemption (the committee's), so nothing of the batch is stored", async () => {
    const response = await post(wfp, [exemptionGranted(), consignmentRegistered(), consignmentLoaded()]);
    expect(response.status).toBe(403);
    // Refused by the grant's type, before its data or the rest of the batch is judged: the grant is named.
    const body = (await response.json()) as { details: Array<{ index: number; reason: string }> };
    expect(body.details.map((d) => d.index)).toEqual([0]);
    // The grant, by a producer of no organisation (the deployment's relay of the committee's decisions).
    expect((await post(system.keys.producer, [exemptionGranted()])).status).toBe(202);
  });

  it("the organisation's producer: registration, load, discharge and delivery in one request, 202", async () => {
    const events = [
      consignmentRegistered(),
      consignmentLoaded(),
      consignmentDischarged(),
      deliveryRecorded(),
    ];
    const response = await post(wfp, events);
    expect(await response.json()).toEqual({ accepted: events.map((e) => e.id) });
    expect(response.status).toBe(202);
    const stream = await system.fetch(`${system.url}/streams/consignment-${SampleIds.consignmentId}`);
    const types = ((await stream.json()) as { events: Array<{ type: string }> }).events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'aidwatch.consignment.registered.v1',
        'aidwatch.consignment.loaded.v1',
        'aidwatch.delivery.recorded.v1',
      ]),
    );
  });

  it('a follow-up placed before its registration is still refused (order matters)', async () => {
    const registered = consignmentRegistered({ data: { consignmentId: 'CSG-2024-0999' } });
    const loaded = consignmentLoaded({ id: 'late-load', data: { consignmentId: 'CSG-2024-0999' } });
    const response = await post(wfp, [loaded, registered]);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { details: Array<{ index: number }> };
    expect(body.details.map((d) => d.index)).toEqual([0]);
  });
});
