import { EventTypes, INPUT_QUIET_TYPE, type Flag, type FlagRaised } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { eventually, startTestSystem, type TestSystem } from '../support';
import { HOUR, NOW, byTime, fixes } from '../support/history-feeds';

// Two vessels' tracks posted a day late over HTTP on the live receiver's own source, their reports
// interleaved with each other (a satellite batch, a receiver's backlog): one vessel goes dark half-way, the
// other reports all along. While the late tracks come in, neither is judged dark — the one's next report
// may still fill its silence, however the other's reports interleave (docs/time-model.md 7); once the
// source has sent nothing for HTTP_INPUT_QUIET_MS its quiet marker ends their runs, and the vessel that went
// dark is flagged, as event-time order flags it. Nothing is raised and cleared on the way.

const SOURCE = '/ais/live/east-sea';
const AHEAD = '538300001'; // on time: reports up to now
const DARK = '538300002'; // late: reports for 8 h, then nothing
const STEADY = '538300003'; // late: reports until 8 h before now

describe('late tracks interleaved over one HTTP source', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ HTTP_INPUT_QUIET_MS: '1500' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const post = async (events: readonly unknown[]) => {
    for (let i = 0; i < events.length; i += 25) {
      const res = await system.fetch(`${system.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify(events.slice(i, i + 25)),
      });
      expect(res.status).toBe(202);
    }
  };

  it('judges the dark vessel only once the source is quiet, and raises nothing on the way', async () => {
    await post(fixes(AHEAD, SOURCE, NOW - 30 * HOUR, NOW, 10, 36.2));
    const late = byTime(
      fixes(DARK, SOURCE, NOW - 30 * HOUR, NOW - 22 * HOUR, 10, 36.6),
      fixes(STEADY, SOURCE, NOW - 30 * HOUR, NOW - 8 * HOUR, 10, 37.0),
    );
    await post(late);

    const store = system.app.get<EventStore>(EVENT_STORE);
    const gapsOf = async (mmsi: string) =>
      (await store.readAll())
        .filter((s) => s.type === EventTypes.FlagRaised || s.type === EventTypes.FlagCleared)
        .map((s) => s.data as FlagRaised)
        .filter((e) => e.data.subject?.id === mmsi && (e.data as Flag).rule === 'ais-gap');

    // The quiet marker is stored on the source's input stream, and the dark vessel is flagged after it.
    await eventually(
      async () => {
        const quiet = (await store.readStream(`input-${SOURCE}`)).filter((s) => s.type === INPUT_QUIET_TYPE);
        expect(quiet.length).toBeGreaterThanOrEqual(1);
        expect((await gapsOf(DARK)).length).toBeGreaterThanOrEqual(1);
        return true;
      },
      20_000,
      "the quiet marker and the dark vessel's flag",
    );

    const dark = await gapsOf(DARK);
    // One episode, "dark now" from its last report, raised once and never cleared.
    expect(dark.map((e) => e.type)).toEqual([EventTypes.FlagRaised]);
    expect((dark[0].data as Flag).evidence).toEqual([`${DARK}-${NOW - 22 * HOUR}`]);
    expect(await gapsOf(STEADY)).toEqual([]);
    expect(await gapsOf(AHEAD)).toEqual([]);
    const res = await system.fetch(`${system.url}/metrics`);
    expect(await res.text()).toMatch(/aidwatch_input_quiet_markers_total\{outcome="written"\} [1-9]/);
  });

  it('a restart before the source falls quiet still ends the runs: the markers pending are written at shutdown', async () => {
    const dataDir = system.dataDir;
    const source = '/ais/live/west-sea';
    const [ahead, dark, steady] = ['538300011', '538300012', '538300013'];
    await system.stop();
    // A quiet period longer than the test: only the shutdown writes the marker.
    system = await startTestSystem({ DATA_DIR: dataDir, HTTP_INPUT_QUIET_MS: '600000' });
    await post(fixes(ahead, source, NOW - 30 * HOUR, NOW, 10, 36.2));
    await post(
      byTime(
        fixes(dark, source, NOW - 30 * HOUR, NOW - 22 * HOUR, 10, 36.6),
        fixes(steady, source, NOW - 30 * HOUR, NOW - 8 * HOUR, 10, 37.0),
      ),
    );
    await system.stop();
    system = await startTestSystem({ DATA_DIR: dataDir, HTTP_INPUT_QUIET_MS: '600000' });
    const store = system.app.get<EventStore>(EVENT_STORE);
    const quiet = (await store.readStream(`input-${source}`)).filter((s) => s.type === INPUT_QUIET_TYPE);
    expect(quiet).toHaveLength(1);
    await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/flags?rule=ais-gap&limit=100`);
        const items = ((await res.json()) as { items: Flag[] }).items;
        return items.some((f) => f.subject.id === dark) ? true : undefined;
      },
      20_000,
      "the dark vessel's flag after the restart",
    );
  });
});
