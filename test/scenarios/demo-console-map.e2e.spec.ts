import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { RuleIds } from '@aidwatch/domain';
import { DemoCast } from '../../apps/aidwatch/src/demo/demo-scenario';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Screenshots go to a temporary folder (CONSOLE_SCREENSHOTS to choose it), never into the repository.
const OUTPUT = process.env.CONSOLE_SCREENSHOTS ?? path.join(os.tmpdir(), 'aidwatch-console-screenshots');
// Debian chromium, as the console's browser test uses (.ci/run installs it; CI fails without it).
const withBrowser = fs.existsSync(CHROMIUM) || process.env.CI === 'true' ? it : it.skip;

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
    const encounter = map.alerts.find((a: any) => a.rule === 'encounter');
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

  it('raises every rule on the demo data: GET /flags shows all 17 (README, "Rules")', async () => {
    const rules = await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/flags?limit=10000`);
        const seen = new Set(((await res.json()) as any).items.map((f: any) => f.rule));
        return seen.size === RuleIds.length ? seen : undefined;
      },
      90_000,
      'a flag of every rule',
    );
    expect([...rules].sort()).toEqual([...RuleIds].sort());
    expect(RuleIds).toHaveLength(17);
  });

  it("groups the two vessels' encounter flags into one alert naming both, seen from the carrier's consignment", async () => {
    const encounters = await eventually(async () => {
      const res = await system.fetch(`${system.url}/alerts?rule=encounter&limit=200`);
      const items = ((await res.json()) as any).items;
      return items.length > 0 ? items : undefined;
    });
    expect(encounters).toHaveLength(1);
    expect(encounters[0].labels.vessel.sort()).toEqual([DemoCast.carrier, DemoCast.designatedPartner].sort());
    expect(encounters[0].consignmentIds).toContain(DemoCast.carriedConsignment);
    expect(encounters[0].flag.explanation).toMatch(/RYONG SONG 5/);
    expect(encounters[0].flag.explanation).toMatch(/YU SON 8/);
    // One meeting, however often its sentence was re-worded as it grew: one occurrence, and the history
    // holds the sentence the alert shows now.
    const alert = (await (await system.fetch(`${system.url}/alerts/${encounters[0].alertId}`)).json()) as any;
    expect(alert.occurrences).toBe(1);
    const sentences = alert.history
      .filter((e: any) => e.type === 'raised' || e.type === 'updated')
      .map((e: any) => e.note);
    expect(sentences.at(-1)).toBe(alert.flag.explanation);
    // The designated ship met at sea: its alert names both vessels.
    const designated = (
      (await (await system.fetch(`${system.url}/alerts?rule=designated-vessel&limit=200`)).json()) as any
    ).items.filter((a: any) => a.flag.observed?.partnerMmsi === DemoCast.designatedPartner);
    expect(designated.length).toBeGreaterThan(0);
    for (const a of designated)
      expect(a.labels.vessel).toEqual(expect.arrayContaining([DemoCast.carrier, DemoCast.designatedPartner]));
  });

  it('names the vessel met at sea as it was called then, and keeps its name history', async () => {
    const map = (await (
      await system.fetch(`${system.url}/consignments/${DemoCast.carriedConsignment}/map`)
    ).json()) as any;
    const partner = map.partners.find((p: any) => p.mmsi === DemoCast.designatedPartner);
    expect(partner).toMatchObject({ name: 'YU SON 8', currentName: 'SU SONG' });
    const vessel = (await (
      await system.fetch(`${system.url}/vessels/${DemoCast.designatedPartner}`)
    ).json()) as any;
    expect(vessel.name).toBe('SU SONG');
    expect(vessel.names.map((n: any) => n.name)).toEqual(['YU SON 8', 'SU SONG']);
    const flags = ((await (await system.fetch(`${system.url}/flags?rule=encounter`)).json()) as any).items;
    expect(new Set(flags.map((f: any) => f.subject.id))).toEqual(
      new Set([DemoCast.carrier, DemoCast.designatedPartner]),
    );
  });

  withBrowser(
    'draws it in the browser: both vessels distinct and titled, the gap as a gap, labels inside, a full legend, pan and zoom; the vessel pages',
    async () => {
      execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build-console.js')], {
        stdio: 'inherit',
      });
      const key = system.credential({ role: 'operator', label: 'Operations desk' });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        // Nothing may come from anywhere but AidWatch itself: no tiles, no CDN.
        const foreign: string[] = [];
        page.on('request', (req) => {
          if (!req.url().startsWith(system.url)) foreign.push(req.url());
        });
        await page.goto(`${system.url}/console`);
        await page.fill('#key', key);
        await page.click('#login button[type=submit]');
        await page.waitForSelector('#connection.live');
        expect(await page.locator('#whoami-name').textContent()).toBe('Operations desk');
        await page.goto(`${system.url}/console#/consignments/${DemoCast.carriedConsignment}`);
        await page.waitForSelector('#map svg path.track');
        await page.waitForSelector('#map-canvas[data-labels-placed="true"]');
        const api = (await (
          await system.fetch(`${system.url}/consignments/${DemoCast.carriedConsignment}/map`)
        ).json()) as any;
        const nameOf = (mmsi: string) =>
          [api.vessel, ...api.partners].find((v: any) => v.mmsi === mmsi)?.name as string;
        expect(nameOf(DemoCast.carrier)).toBe('RYONG SONG 5');
        // Every vessel of the encounter: its own track, in its own colour, titled with name and MMSI.
        const tracks = await page.$$eval('#map svg path.track, #map svg path.partner-track', (paths) =>
          paths.map((p) => ({
            mmsi: p.getAttribute('data-mmsi'),
            stroke: p.getAttribute('stroke'),
            title: p.querySelector('title')?.textContent,
          })),
        );
        expect(tracks.map((t) => t.mmsi)).toEqual([DemoCast.carrier, DemoCast.designatedPartner]);
        expect(new Set(tracks.map((t) => t.stroke)).size).toBe(2);
        for (const t of tracks) expect(t.title).toContain(`${nameOf(t.mmsi!)} (MMSI ${t.mmsi})`);
        const markers = await page.$$eval('#map svg path.vessel-marker title', (ts) =>
          ts.map((t) => t.textContent),
        );
        expect(markers).toHaveLength(2);
        // The 17 h the carrier went dark: a dotted gap segment, titled with the vessel and the hours.
        const gap = page.locator(`#map svg path.track-gap[data-mmsi="${DemoCast.carrier}"]`).first();
        expect(await gap.locator('title').textContent()).toMatch(
          new RegExp(`RYONG SONG 5 \\(MMSI ${DemoCast.carrier}\\): no position for 1\\d\\.\\d h`),
        );
        expect(await gap.getAttribute('stroke-dasharray')).toBeTruthy();
        // The encounter marker, and its alert names both vessels.
        const encounterMarker = page.locator('#map svg path.alert-marker.rule-encounter');
        expect(await encounterMarker.count()).toBe(1);
        const alertId = await encounterMarker.getAttribute('data-alert-id');
        const legend = await page.$$eval('#map .legend-row span', (ts) => ts.map((t) => t.textContent));
        expect(legend).toEqual(
          expect.arrayContaining([
            `carrier RYONG SONG 5 (MMSI ${DemoCast.carrier})`,
            expect.stringMatching(new RegExp(`^vessel met at sea .*MMSI ${DemoCast.designatedPartner}`)),
            'declared route',
            'AIS gap (no positions)',
            'port',
            'distribution site',
            'alert',
          ]),
        );
        // Labels inside the map and none overlapping, once the page has settled (a late layout change makes
        // the map place its labels again; a broken placement never settles).
        const labelFaults = async () => {
          const outside: string[] = await page.$$eval('#map .leaflet-tooltip', (labels) => {
            const box = (labels[0]?.closest('.leaflet-container') as any).getBoundingClientRect();
            return labels
              .filter((l) => {
                const r = (l as any).getBoundingClientRect();
                return r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
              })
              .map((l) => l.textContent);
          });
          const overlapping: string[] = await page.$$eval('#map .leaflet-tooltip', (labels) => {
            const rects = labels.map((l) => ({ t: l.textContent, r: (l as any).getBoundingClientRect() }));
            const pairs: string[] = [];
            rects.forEach((a, i) =>
              rects.slice(i + 1).forEach((b) => {
                if (
                  a.r.left < b.r.right &&
                  b.r.left < a.r.right &&
                  a.r.top < b.r.bottom &&
                  b.r.top < a.r.bottom
                )
                  pairs.push(`${a.t} / ${b.t}`);
              }),
            );
            return pairs;
          });
          return { outside, overlapping };
        };
        let faults = await labelFaults();
        for (let i = 0; i < 20 && (faults.outside.length > 0 || faults.overlapping.length > 0); i++) {
          await page.waitForTimeout(250);
          faults = await labelFaults();
        }
        expect(faults).toEqual({ outside: [], overlapping: [] });
        // The vessel met at sea under the name it had then (as the alerts say), its newer name beside it.
        expect(legend).toContain(
          `vessel met at sea YU SON 8 (MMSI ${DemoCast.designatedPartner}), now SU SONG`,
        );
        expect(
          await page
            .locator(`#consignment-vessels a[href="#/vessels/${DemoCast.designatedPartner}"]`)
            .textContent(),
        ).toBe(`YU SON 8 (MMSI ${DemoCast.designatedPartner}), now SU SONG`);
        // The timeline dates each flag by the flag whose sentence it shows.
        const flagTimes = await page.$$eval('.timeline li.flag', (lis) =>
          lis.map((li) => `${li.querySelector('time')?.textContent} ${li.textContent}`),
        );
        for (const a of api.alerts) {
          const entry = flagTimes.find((t) => t.includes(a.explanation));
          expect(entry?.startsWith(a.flagRaisedAt.slice(0, 16).replace('T', ' '))).toBe(true);
        }
        fs.mkdirSync(OUTPUT, { recursive: true });
        await page.screenshot({ path: path.join(OUTPUT, 'console-demo-encounter-map.png'), fullPage: true });

        // Pan and zoom: the zoom control zooms in (the track is drawn again, longer), dragging pans.
        const length = () => page.$eval('#map svg path.track', (p) => (p as any).getTotalLength() as number);
        const before = await length();
        await page.click('#map .leaflet-control-zoom-in');
        await page.waitForFunction(
          (b) =>
            ((globalThis as any).document.querySelector('#map svg path.track').getTotalLength() as number) >
            b * 1.5,
          before,
        );
        const box = (await page.locator('#map-canvas').boundingBox())!;
        const pane = () => page.$eval('#map .leaflet-map-pane', (p) => (p as any).style.transform as string);
        const panned = await pane();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 - 150, box.y + box.height / 2 - 80, { steps: 8 });
        await page.mouse.up();
        expect(await pane()).not.toBe(panned);
        // Zooming in stops at a view that still shows a few kilometres, not metres.
        const zoomIn = page.locator('#map .leaflet-control-zoom-in');
        for (let i = 0; i < 40 && !(await zoomIn.getAttribute('class'))!.includes('leaflet-disabled'); i++) {
          // The last zoom may disable the button between the check above and the click (the animation ends
          // late on a busy machine): then the click finds it disabled, which is the state sought.
          await zoomIn.click({ timeout: 5000 }).catch(async (error: unknown) => {
            if (!(await zoomIn.getAttribute('class'))!.includes('leaflet-disabled')) throw error;
          });
          await new Promise((r) => setTimeout(r, 150));
        }
        expect(await zoomIn.getAttribute('class')).toContain('leaflet-disabled');
        const scale = (await page.locator('#map .leaflet-control-scale-line').textContent()) ?? '';
        expect(scale).toMatch(/km$/);
        await page.screenshot({
          path: path.join(OUTPUT, 'console-demo-encounter-zoomed.png'),
          fullPage: true,
        });

        // One encounter, one alert: the same alert from the partner's vessel page, naming both vessels.
        await page.click(`#consignment-vessels a[href="#/vessels/${DemoCast.designatedPartner}"]`);
        await page.waitForSelector('#vessel-alerts');
        const vesselApi = (await (
          await system.fetch(`${system.url}/vessels/${DemoCast.designatedPartner}`)
        ).json()) as any;
        const alertRows = await page.$$eval('#vessel-alerts tbody tr', (rows) =>
          rows.map((r) => `${r.getAttribute('data-rule')}:${r.getAttribute('data-alert-id')}`),
        );
        expect(alertRows).toEqual(vesselApi.alerts.map((a: any) => `${a.rule}:${a.alertId}`));
        expect(alertRows).toContain(`encounter:${alertId}`);
        const flagRules = await page.$$eval('#vessel-flags tbody tr', (rows) =>
          rows.map((r) => r.getAttribute('data-rule')),
        );
        expect(flagRules.sort()).toEqual(vesselApi.flags.map((f: any) => f.rule).sort());
        expect(flagRules).toEqual(
          expect.arrayContaining(['encounter', 'identity-change', 'designated-vessel']),
        );
        expect(await page.locator('#vessel-identity').textContent()).toContain(
          `MMSI ${DemoCast.designatedPartner}`,
        );
        const partnerTrack = page.locator(
          `#map svg path.track[data-mmsi="${DemoCast.designatedPartner}"] title`,
        );
        expect(await partnerTrack.textContent()).toBe(
          `track of ${vesselApi.name} (MMSI ${DemoCast.designatedPartner})`,
        );
        expect(await page.locator('#vessel-names').textContent()).toMatch(/^SU SONG, formerly YU SON 8 /);
        // The page fits a 1100 px window: wide tables scroll inside their box.
        await page.setViewportSize({ width: 1100, height: 900 });
        const widths = await page.evaluate(() => ({
          document: (globalThis as any).document.documentElement.scrollWidth as number,
          viewport: (globalThis as any).innerWidth as number,
        }));
        expect(widths.document).toBeLessThanOrEqual(widths.viewport);
        await page.setViewportSize({ width: 1400, height: 1000 });
        await page.screenshot({ path: path.join(OUTPUT, 'console-demo-vessel.png'), fullPage: true });
        // The alert from there: its detail names both vessels and links the carrier's consignment.
        await page.click(`#vessel-alerts a[href="#/alerts/${alertId}"]`);
        await page.locator('#alert-detail h2', { hasText: 'encounter' }).waitFor();
        const vessels = await page.$$eval('#detail-vessels a', (as) => as.map((a) => a.textContent));
        expect(vessels.sort()).toEqual([DemoCast.carrier, DemoCast.designatedPartner].sort());
        expect(await page.locator('#detail-summary').textContent()).toMatch(/^Happened once, about vessel /);
        // The alerts table: a vessel column linking each vessel, and a vessel filter as the API filters.
        await page.fill('#filter-vessel', DemoCast.designatedPartner);
        await page.click('#filters button[type=submit]');
        const byVessel = (
          (await (
            await system.fetch(`${system.url}/alerts?limit=200&vessel=${DemoCast.designatedPartner}`)
          ).json()) as any
        ).items;
        await page.waitForFunction(
          (n) => (globalThis as any).document.querySelectorAll('#alerts tbody tr').length === n,
          byVessel.length,
        );
        const rowVessels = await page.$$eval('#alerts tbody tr', (rows) =>
          rows.map((r) => [...r.querySelectorAll('td.vessels a')].map((a) => a.textContent)),
        );
        expect(rowVessels).toEqual(byVessel.map((a: any) => a.labels.vessel));
        expect(rowVessels.every((v) => v.includes(DemoCast.designatedPartner))).toBe(true);
        const designatedRow = byVessel.findIndex((a: any) => a.rule === 'designated-vessel');
        expect(rowVessels[designatedRow]).toEqual(
          expect.arrayContaining([DemoCast.carrier, DemoCast.designatedPartner]),
        );
        expect(await page.locator('#detail-consignments a').allTextContents()).toContain(
          DemoCast.carriedConsignment,
        );
        await page.screenshot({
          path: path.join(OUTPUT, 'console-demo-encounter-alert.png'),
          fullPage: true,
        });

        // The demo's consignment list filtered to the detouring carrier: as the API answers.
        await page.click('nav a[href="#/consignments"]');
        await page.waitForSelector('#consignments tbody tr');
        await page.selectOption('#filter-vessel', DemoCast.detouringCarrier);
        const expected = (
          (await (
            await system.fetch(`${system.url}/consignments?mmsi=${DemoCast.detouringCarrier}`)
          ).json()) as any
        ).items.map((c: any) => `${c.consignmentId}:${c.risk}`);
        await page.waitForFunction(
          (n) => (globalThis as any).document.querySelectorAll('#consignments tbody tr').length === n,
          expected.length,
        );
        const rows = await page.$$eval('#consignments tbody tr', (trs) =>
          trs.map(
            (tr) => `${tr.getAttribute('data-consignment-id')}:${tr.querySelector('.badge')?.textContent}`,
          ),
        );
        expect(rows).toEqual(expected);
        expect(rows).toEqual(expect.arrayContaining(['CSG-2026-0401:critical', 'CSG-2026-0402:critical']));
        await page.screenshot({
          path: path.join(OUTPUT, 'console-demo-consignment-list.png'),
          fullPage: true,
        });
        expect(foreign).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
