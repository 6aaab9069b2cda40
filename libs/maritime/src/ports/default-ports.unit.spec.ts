import { EventTypes, validateCloudEvent } from '@aidwatch/domain';
import CheapRuler from 'cheap-ruler';
import { DEFAULT_PORTS_EDITION, defaultPorts, portDeclaredEvents } from './default-ports';

const ports = defaultPorts();
const ruler = new CheapRuler(38, 'kilometers');

describe('default ports of the demo region', () => {
  it('lists the required ports of each country', () => {
    const byCountry = (cc: string) =>
      ports.filter((p) => p.locode.startsWith(cc)).map((p) => p.name.split(' ')[0]);
    expect(byCountry('KP')).toEqual(
      expect.arrayContaining([
        'Nampo',
        'Chongjin',
        'Hungnam',
        'Wonsan',
        'Rajin',
        'Haeju',
        'Songnim',
        'Sinuiju',
        'Kimchaek',
      ]),
    );
    expect(byCountry('CN')).toEqual(
      expect.arrayContaining([
        'Dalian',
        'Dandong',
        'Yantai',
        'Qingdao',
        'Tianjin',
        'Longkou',
        'Lianyungang',
        'Shanghai',
        'Ningbo',
      ]),
    );
    expect(byCountry('RU')).toEqual(
      expect.arrayContaining(['Vladivostok', 'Nakhodka', 'Vostochny', 'Posyet', 'Zarubino']),
    );
    expect(byCountry('KR')).toEqual(
      expect.arrayContaining(['Busan', 'Incheon', 'Pyeongtaek', 'Gwangyang', 'Ulsan', 'Mokpo', 'Pohang']),
    );
    expect(byCountry('JP')).toEqual(
      expect.arrayContaining([
        'Niigata',
        'Sakaiminato',
        'Maizuru',
        'Toyama',
        'Kobe',
        'Osaka',
        'Yokohama',
        'Moji',
        'Hakata',
      ]),
    );
  });

  it('uses well-formed UN/LOCODEs (country + three letters or digits 2-9), each once', () => {
    for (const p of ports) expect(p.locode).toMatch(/^(KP|CN|RU|KR|JP)[A-Z2-9]{3}$/);
    expect(new Set(ports.map((p) => p.locode)).size).toBe(ports.length);
    expect(new Set(ports.map((p) => p.name)).size).toBe(ports.length);
  });

  it('places every port in the region with a plausible radius', () => {
    for (const p of ports) {
      expect(p.lat).toBeGreaterThan(29);
      expect(p.lat).toBeLessThan(44);
      expect(p.lon).toBeGreaterThan(117);
      expect(p.lon).toBeLessThan(140);
      expect(p.radiusKm).toBeGreaterThanOrEqual(3);
      expect(p.radiusKm).toBeLessThanOrEqual(12);
    }
  });

  it('has no two ports whose areas overlap', () => {
    for (const [i, a] of ports.entries()) {
      for (const b of ports.slice(i + 1)) {
        expect({
          pair: `${a.locode}-${b.locode}`,
          apart: ruler.distance([a.lon, a.lat], [b.lon, b.lat]) > a.radiusKm + b.radiusKm,
        }).toEqual({
          pair: `${a.locode}-${b.locode}`,
          apart: true,
        });
      }
    }
  });

  it('hands out copies, so callers cannot change the list', () => {
    defaultPorts()[0].lat = 0;
    expect(defaultPorts()[0].lat).not.toBe(0);
  });
});

describe('port declarations for seeding', () => {
  it('are valid contract events, one per port, subject = LOCODE', () => {
    const events = portDeclaredEvents();
    expect(events).toHaveLength(ports.length);
    for (const e of events) {
      expect(e.type).toBe(EventTypes.PortDeclared);
      expect(e.subject).toBe(e.data.locode);
      expect(validateCloudEvent(e)).toMatchObject({ ok: true });
    }
  });

  it('are the same events at every seeding (same id, same content) and change id when a port changes', () => {
    const first = portDeclaredEvents();
    const later = portDeclaredEvents();
    expect(later).toEqual(first);
    expect(new Set(first.map((e) => e.time))).toEqual(new Set([DEFAULT_PORTS_EDITION]));
    const moved = portDeclaredEvents({ ports: [{ ...ports[0], radiusKm: ports[0].radiusKm + 1 }] });
    expect(moved[0].id).not.toBe(first[0].id);
    expect(new Set(first.map((e) => e.id)).size).toBe(first.length);
  });
});
