import { PortIndex } from './port-index';
import { NAMPO, offsetKm, testPorts } from './testing/maritime-scenario';

describe('port index', () => {
  const ports = new PortIndex(testPorts);

  it('measures from the port limits and only within the asked distance', () => {
    const p = offsetKm(NAMPO, 0, -(NAMPO.radiusKm + 7));
    expect(ports.nearestWithin(p.lat, p.lon, 10)).toMatchObject({
      port: { locode: 'KPNAM' },
      km: expect.closeTo(7, 1),
    });
    expect(ports.nearestWithin(p.lat, p.lon, 6)).toBeNull();
    expect(ports.nearestWithin(NAMPO.lat, NAMPO.lon, 1)).toMatchObject({ km: 0 });
  });

  it('finds the nearest port at any distance', () => {
    expect(ports.nearest(36.5, 123.5)?.port.locode).toBe('KRINC');
    expect(ports.nearest(10, 170)?.port.locode).toBeDefined();
    expect(new PortIndex().nearest(36.5, 123.5)).toBeNull();
  });

  it('takes ports declared later and replaces a port by LOCODE', () => {
    const index = new PortIndex(testPorts);
    index.add({ locode: 'RUVVO', name: 'Vladivostok', lat: 43.1, lon: 131.9, radiusKm: 3 });
    expect(index.nearestWithin(43.1, 131.95, 5)?.port.name).toBe('Vladivostok');
    index.add({ locode: 'RUVVO', name: 'Vladivostok', lat: 43.1, lon: 132.5, radiusKm: 3 });
    expect(index.nearestWithin(43.1, 131.95, 5)).toBeNull();
  });

  it('is date-line safe', () => {
    const index = new PortIndex([{ locode: 'FJSUV', name: 'East', lat: -18, lon: 179.99, radiusKm: 0 }]);
    expect(index.nearestWithin(-18, -179.99, 5)).toMatchObject({
      port: { locode: 'FJSUV' },
      km: expect.closeTo(2.1, 1),
    });
  });
});
