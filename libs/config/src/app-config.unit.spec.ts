import { ListLimits } from '@aidwatch/domain';
import { ConfigError, JSON_DEPTH_BOUNDS, loadConfig, MAX_ITEM_LINES_PER_EVENT } from './app-config';

describe('loadConfig', () => {
  it('gives embedded defaults with no environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.eventStore.kind).toBe('embedded');
    expect(config.kafka).toBeUndefined();
    expect(config.demo).toBe(false);
  });

  it('lets an entry point choose the demo default and the environment override it', () => {
    expect(loadConfig({}, { demo: true }).demo).toBe(true);
    expect(loadConfig({ DEMO: 'false' }, { demo: true }).demo).toBe(false);
  });

  it('reads Kafka and KurrentDB settings', () => {
    const config = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:19092, kafka:9092',
      EVENT_STORE: 'kurrentdb',
      KURRENTDB_CONNECTION_STRING: 'kurrentdb://localhost:2113?tls=false',
    });
    expect(config.kafka?.brokers).toEqual(['127.0.0.1:19092', 'kafka:9092']);
    expect(config.eventStore).toEqual({
      kind: 'kurrentdb',
      connectionString: 'kurrentdb://localhost:2113?tls=false',
    });
  });

  it('reads TRUST_PROXY: off by default, hop counts and proxy lists; refuses trusting anyone', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).http.trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example' })).toThrow(/TRUST_PROXY/);
  });

  it('names every bad value in one clear error', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        EVENT_STORE: 'mongo',
        KAFKA_BROKERS: 'no-port',
        DETECTION_SHRINKAGE_TOLERANCE_PCT: 'lots',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const message = (err as ConfigError).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/EVENT_STORE/);
      expect(message).toMatch(/KAFKA_BROKERS: "no-port" is not host:port/);
      expect(message).toMatch(/DETECTION_SHRINKAGE_TOLERANCE_PCT/);
    }
  });

  it('reads the intake settings: field form time zone and mapping file, AIS windows', () => {
    expect(loadConfig({}).intake).toEqual({
      fieldFormUtcOffset: '+00:00',
      aisFragmentWindowMs: 120_000,
      aisDuplicateWindowMs: 30_000,
      inputQuietMs: 30_000,
      aisTcp: [],
      aisTcpReconnectMaxMs: 30_000,
    });
    const config = loadConfig({
      FIELD_FORM_UTC_OFFSET: '+09:00',
      FIELD_MAPPING_FILE: 'mapping.json',
      AIS_FRAGMENT_WINDOW_SEC: '300',
      AIS_DUPLICATE_WINDOW_SEC: '5',
      HTTP_INPUT_QUIET_MS: '0',
    });
    expect(config.intake).toMatchObject({
      fieldFormUtcOffset: '+09:00',
      fieldMappingFile: expect.stringMatching(/mapping\.json$/),
      aisFragmentWindowMs: 300_000,
      aisDuplicateWindowMs: 5_000,
      inputQuietMs: 0,
    });
    expect(() => loadConfig({ FIELD_FORM_UTC_OFFSET: '+9' })).toThrow(/FIELD_FORM_UTC_OFFSET/);
    expect(() => loadConfig({ AIS_FRAGMENT_WINDOW_SEC: '0' })).toThrow(/AIS_FRAGMENT_WINDOW_SEC/);
  });

  it('holds LIMIT_JSON_DEPTH between what valid events need and what the store can write', () => {
    expect(loadConfig({}).limits.jsonDepth).toBe(32);
    expect(loadConfig({ LIMIT_JSON_DEPTH: String(JSON_DEPTH_BOUNDS.min) }).limits.jsonDepth).toBe(8);
    expect(loadConfig({ LIMIT_JSON_DEPTH: String(JSON_DEPTH_BOUNDS.max) }).limits.jsonDepth).toBe(1000);
    for (const bad of ['1', '7', '1001', '100000', '-5', '3.5'])
      expect(() => loadConfig({ LIMIT_JSON_DEPTH: bad })).toThrow(
        /LIMIT_JSON_DEPTH.*whole number from 8 to 1000/s,
      );
  });

  it("reads an organisation's event limit, which a full batch must fit", () => {
    expect(loadConfig({}).limits.tenantEvents).toEqual({
      perWindow: 6_000,
      windowMs: 60_000,
      itemLinesPerWindow: 10_000,
      flags: 5_000,
      storedEvents: 20_000,
      consignmentsPerVessel: 100,
      alertActions: 600,
      eventBytes: 131_072,
    });
    expect(
      loadConfig({
        LIMIT_TENANT_EVENTS: '500',
        LIMIT_BATCH_EVENTS: '500',
        LIMIT_TENANT_EVENTS_WINDOW_SEC: '5',
      }).limits.tenantEvents,
    ).toMatchObject({ perWindow: 500, windowMs: 5_000 });
    expect(() => loadConfig({ LIMIT_TENANT_EVENTS: '999' })).toThrow(
      /LIMIT_TENANT_EVENTS \(999\) must be at least LIMIT_BATCH_EVENTS \(1000\)/,
    );
  });

  it("reads an organisation's item-line limit, which an event of the most lines must fit, and its flag quota", () => {
    expect(MAX_ITEM_LINES_PER_EVENT).toBe(ListLimits.items);
    expect(
      loadConfig({ LIMIT_TENANT_ITEM_LINES: '0', LIMIT_TENANT_FLAGS: '0' }).limits.tenantEvents,
    ).toMatchObject({ itemLinesPerWindow: 0, flags: 0 });
    expect(() => loadConfig({ LIMIT_TENANT_ITEM_LINES: '499' })).toThrow(/LIMIT_TENANT_ITEM_LINES \(499\)/);
    expect(loadConfig({ LIMIT_TENANT_ITEM_LINES: '500' }).limits.tenantEvents.itemLinesPerWindow).toBe(500);
  });

  it('reads the AIS listeners: UDP on HOST with its stations, TCP sources with theirs', () => {
    expect(loadConfig({}).intake).toMatchObject({ aisTcp: [], aisTcpReconnectMaxMs: 30_000 });
    expect(loadConfig({}).intake.aisUdp).toBeUndefined();
    const config = loadConfig({
      HOST: '0.0.0.0',
      AIS_UDP_PORT: '10110',
      AIS_UDP_STATIONS: 'rx-nampo=192.168.1.20, rx-dalian=::ffff:10.0.0.5',
      AIS_TCP_SOURCES: 'catcher-1=ais.local:5012,gw=[fe80::1]:10110',
    });
    expect(config.intake.aisUdp).toEqual({
      host: '0.0.0.0',
      port: 10110,
      stations: [
        { station: 'rx-nampo', address: '192.168.1.20' },
        { station: 'rx-dalian', address: '::ffff:10.0.0.5' },
      ],
    });
    expect(config.intake.aisTcp).toEqual([
      { station: 'catcher-1', host: 'ais.local', port: 5012 },
      { station: 'gw', host: 'fe80::1', port: 10110 },
    ]);
  });

  it('refuses a UDP port without stations, bad station names, ports and duplicates', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (error) {
        return (error as ConfigError).message;
      }
    };
    expect(problems({ AIS_UDP_PORT: '10110' })).toContain('AIS_UDP_STATIONS is required');
    expect(problems({ AIS_UDP_PORT: '70000', AIS_UDP_STATIONS: 'a=1.2.3.4' })).toContain('AIS_UDP_PORT');
    expect(problems({ AIS_UDP_STATIONS: 'bad name=1.2.3.4' })).toContain('AIS_UDP_STATIONS');
    expect(problems({ AIS_UDP_STATIONS: 'a=host.example' })).toContain('not an IP address');
    expect(problems({ AIS_TCP_SOURCES: 'a=h:1,a=h:2' })).toContain('named twice');
    expect(problems({ AIS_TCP_SOURCES: 'a=h' })).toContain('not host:port');
  });

  it('reads the sanctions sources: file:// and https:// only, every SANCTIONS_FETCH_HOURS', () => {
    expect(loadConfig({}).intake.sanctions).toBeUndefined();
    expect(
      loadConfig({
        SANCTIONS_SOURCES: 'file:///srv/lists/SDN.CSV, https://lists.example/consolidated.xml',
        SANCTIONS_FETCH_HOURS: '6',
      }).intake.sanctions,
    ).toEqual({
      urls: ['file:///srv/lists/SDN.CSV', 'https://lists.example/consolidated.xml'],
      everyMs: 6 * 3_600_000,
    });
    expect(() => loadConfig({ SANCTIONS_SOURCES: 'http://lists.example/SDN.CSV' })).toThrow(/neither file/);
    expect(() => loadConfig({ SANCTIONS_SOURCES: 'SDN.CSV' })).toThrow(/not a URL/);
  });

  it('reads the PostgreSQL store from EVENT_STORE=postgres and DATABASE_URL, which it requires', () => {
    expect(
      loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://aidwatch@db:5432/aidwatch' })
        .eventStore,
    ).toEqual({ kind: 'postgres', connectionString: 'postgres://aidwatch@db:5432/aidwatch' });
    expect(() => loadConfig({ EVENT_STORE: 'postgres' })).toThrow(/DATABASE_URL is required/);
    expect(() => loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: 'db:5432' })).toThrow(
      /DATABASE_URL: not a postgres/,
    );
    expect(() =>
      loadConfig({
        EVENT_STORE: 'postgres',
        DATABASE_URL: 'postgresql://db/aidwatch',
        AIS_RETENTION_DAYS: '30',
      }),
    ).toThrow(/AIS_RETENTION_DAYS needs EVENT_STORE=embedded/);
  });

  it('takes a service default port unless PORT is set', () => {
    expect(loadConfig({}, { port: 3002 }).port).toBe(3002);
    expect(loadConfig({ PORT: '4000' }, { port: 3002 }).port).toBe(4000);
    expect(loadConfig({}).port).toBe(3000);
  });

  it('requires a connection string for KurrentDB', () => {
    expect(() => loadConfig({ EVENT_STORE: 'kurrentdb' })).toThrow(/KURRENTDB_CONNECTION_STRING is required/);
  });

  it('reads the retention of raw AIS positions: off by default, archives under DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: '/srv/aidwatch' }).retention).toEqual({
      aisDays: 0,
      archiveDir: '/srv/aidwatch/archive',
    });
    expect(loadConfig({ AIS_RETENTION_DAYS: '30', AIS_ARCHIVE_DIR: '/cold/ais' }).retention).toEqual({
      aisDays: 30,
      archiveDir: '/cold/ais',
    });
    expect(() => loadConfig({ AIS_RETENTION_DAYS: '-1' })).toThrow(/AIS_RETENTION_DAYS/);
    expect(() => loadConfig({ AIS_RETENTION_DAYS: '2.5' })).toThrow(/AIS_RETENTION_DAYS/);
    expect(() => loadConfig({ AIS_RETENTION_DAYS: '7', EVENT_STORE: 'memory' })).toThrow(
      /AIS_RETENTION_DAYS needs EVENT_STORE=embedded/,
    );
    expect(loadConfig({ AIS_RETENTION_DAYS: '0', EVENT_STORE: 'memory' }).retention.aisDays).toBe(0);
  });

  it('collects detection overrides', () => {
    expect(loadConfig({ DETECTION_SHRINKAGE_TOLERANCE_PCT: '3.5' }).detection).toEqual({
      SHRINKAGE_TOLERANCE_PCT: 3.5,
    });
  });
});
