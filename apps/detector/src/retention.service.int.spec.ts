import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serviceEventStore } from '@aidwatch/audit';
import { appendFacts } from '@aidwatch/audit/testing';
import { loadConfig } from '@aidwatch/config';
import { vesselPosition } from '@aidwatch/domain/testing';
import { EmbeddedEventStore, InMemoryEventStore, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { SqliteCheckpointStore, DETECTION_PROJECTION } from '@aidwatch/projections';
import { HealthRegistry } from '@aidwatch/runtime';
import { DetectorLeaseService } from './detector-lease.service';
import { RETENTION_EVERY_MS, RetentionService } from './retention.service';

const DAY = 86_400_000;

function recordingLogger() {
  const lines: Array<{ level: string; fields: unknown; message: string }> = [];
  const at = (level: string) => (fields: unknown, message: string) => lines.push({ level, fields, message });
  return { lines, logger: { info: at('info'), debug: at('debug'), error: at('error') } as unknown as Logger };
}

describe('RetentionService', () => {
  let dir: string;
  let store: EventStore;
  let checkpoints: SqliteCheckpointStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-retention-service-'));
    checkpoints = new SqliteCheckpointStore(path.join(dir, 'projections.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    await checkpoints.close();
    fs.rmSync(dir, { recursive: true, force: true });
    jest.useRealTimers();
  });

  const service = (env: Record<string, string>, metrics = new AidwatchMetrics({ defaultMetrics: false })) => {
    const { lines, logger } = recordingLogger();
    const config = loadConfig({ DATA_DIR: dir, ...env });
    const health = new HealthRegistry();
    // The embedded store has no lease: its one detector is active, and starts retention once registered.
    const lease = new DetectorLeaseService(config, logger, checkpoints, health, metrics);
    const retention = new RetentionService(config, logger, store, checkpoints, metrics, health, lease);
    return { retention, lines, metrics, config, lease };
  };

  it('archives at start and every hour what detection judged, counts it and logs it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    // Recorded three days ago (a third vessel position arrives later); the service gets the store as the
    // detector does, under its personal-data and upcasting layers.
    const writer = new EmbeddedEventStore({
      path: path.join(dir, 'events.sqlite'),
      clock: () => new Date(Date.now() - 3 * DAY),
    });
    store = serviceEventStore(loadConfig({ DATA_DIR: dir }));
    await appendFacts(writer, [
      vesselPosition({ id: 'p1', data: { at: '2026-01-01T00:00:00Z' } }),
      vesselPosition({ id: 'p2', data: { at: '2026-01-01T00:01:00Z' } }),
    ]);
    await checkpoints.save(DETECTION_PROJECTION, (await store.headPosition()) as string, {}, new Date());
    const { retention, lines, metrics, config, lease } = service({ AIS_RETENTION_DAYS: '1' });
    await lease.onApplicationBootstrap();
    retention.onApplicationBootstrap();
    expect((await retention.runNow())?.archived).toBe(1);
    expect(lines.find((l) => l.message === 'raw AIS positions archived')?.fields).toMatchObject({
      archived: 1,
    });
    expect(fs.readdirSync(config.retention.archiveDir).filter((f) => f.endsWith('.ndjson.gz'))).toHaveLength(
      1,
    );

    await appendFacts(writer, [vesselPosition({ id: 'p3', data: { at: '2026-01-01T00:02:00Z' } })]);
    await checkpoints.save(DETECTION_PROJECTION, (await store.headPosition()) as string, {}, new Date());
    const archivedLogs = () => lines.filter((l) => l.message === 'raw AIS positions archived').length;
    jest.advanceTimersByTime(RETENTION_EVERY_MS - 1);
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(archivedLogs()).toBe(1); // not before the hour
    jest.advanceTimersByTime(1);
    for (let turn = 0; turn < 20_000 && archivedLogs() < 2; turn++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(archivedLogs()).toBe(2);
    expect((await metrics.positionsArchived.get()).values[0].value).toBe(2);
    await retention.onApplicationShutdown();
    await writer.close();
  });

  it('does nothing with AIS_RETENTION_DAYS=0, and says why on a store that cannot delete', async () => {
    store = new InMemoryEventStore();
    const off = service({});
    off.retention.onApplicationBootstrap();
    expect(off.lines).toEqual([]);
    const { logger, lines } = recordingLogger();
    const config = { ...loadConfig({ DATA_DIR: dir }), retention: { aisDays: 7, archiveDir: dir } };
    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    const health = new HealthRegistry();
    const lease = new DetectorLeaseService(config, logger, checkpoints, health, metrics);
    new RetentionService(config, logger, store, checkpoints, metrics, health, lease).onApplicationBootstrap();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(/cannot delete archived events/),
      }),
    ]);
  });
});
