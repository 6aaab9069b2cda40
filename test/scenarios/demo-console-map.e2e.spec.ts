import { DemoCast } from '../../apps/aidwatch/src/demo/demo-scenario';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';

/** What `/console` draws for the demo's critical consignment: the carrier's track and the STS encounter. */
describe('npm start with the demo: the console map of the carried consignment', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ DEMO: 'true' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('shows the critical consignment with its carrier track, the vessel it met and the encounter placed at sea', async () => {
    const map = await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/consignments/${DemoCast.carriedConsignment}/map`);
        const body = res.status === 200 ? ((await res.json()) as any) : undefined;
        return body?.alerts.some((a: any) => a.rule === 'encounter' && a.location) ? body : undefined;
      },
      90_000,
      'the encounter on the map',
    );
    expect(map.vessel.mmsi).toBe(DemoCast.carrier);
    expect(map.vessel.track.length).toBeGreaterThan(50);
    expect(map.partners.map((p: any) => p.mmsi)).toContain(DemoCast.designatedPartner);
    // The partner's own encounter flag names the carrier: the carrier is still no partner of itself.
    expect(map.partners.map((p: any) => p.mmsi)).not.toContain(DemoCast.carrier);
    expect(map.steps[0].type).toBe('aidwatch.consignment.registered.v1');
    const encounter = map.alerts.find(
      (a: any) => a.rule === 'encounter' && a.partnerMmsi === DemoCast.designatedPartner,
    );
    expect(encounter.severity).toBe('critical');
    // The explanation names where the ships met (38.69°N 124.15°E); the marker is within ~0.3° of it.
    const [lon, lat] = encounter.location;
    expect(Math.abs(lat - 38.69)).toBeLessThan(0.3);
    expect(Math.abs(lon - 124.15)).toBeLessThan(0.3);
    const consignment = (await (
      await system.fetch(`${system.url}/consignments/${DemoCast.carriedConsignment}`)
    ).json()) as any;
    expect(consignment.risk).toBe('critical');
    expect(map.ports.map((p: any) => p.name)).toEqual(expect.arrayContaining(['Dalian', 'Nampo']));
  });
});
