import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { DemoCast } from '../../apps/aidwatch/src/demo/demo-scenario';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = path.join(__dirname, '..', '..', 'test-output', 'console');
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

  withBrowser(
    'draws it in the browser: the gap as a gap, the vessel met above the carrier, every label inside, a full legend',
    async () => {
      execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build-console.js')], {
        stdio: 'inherit',
      });
      const key = system.credential({ role: 'operator' });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        await page.goto(`${system.url}/console`);
        await page.fill('#key', key);
        await page.click('#login button[type=submit]');
        await page.waitForSelector('#connection.live');
        await page.goto(`${system.url}/console#/consignments/${DemoCast.carriedConsignment}`);
        await page.waitForSelector('#map svg path.track');
        // The 17 h the carrier went dark: a gap segment, titled with the vessel and the hours.
        const gap = await page
          .locator(`#map svg path.track-gap[data-mmsi="${DemoCast.carrier}"] title`)
          .first();
        expect(await gap.textContent()).toMatch(
          new RegExp(`MMSI ${DemoCast.carrier}\\): no position for 1\\d\\.\\d h`),
        );
        // The vessel met is drawn after (above) the carrier, titled with its MMSI.
        const order = await page.$$eval('#map svg path[data-mmsi]:not(.track-gap)', (paths) =>
          paths.map((p) => `${p.getAttribute('class')}:${p.getAttribute('data-mmsi')}`),
        );
        expect(order.indexOf(`track:${DemoCast.carrier}`)).toBeLessThan(
          order.indexOf(`partner-track:${DemoCast.designatedPartner}`),
        );
        expect(order).not.toContain(`partner-track:${DemoCast.carrier}`);
        const clipped = await page.$$eval(
          '#map svg text.label',
          (texts) =>
            texts.filter((t) => {
              const box = (t as any).getBBox();
              return box.x < 0 || box.x + box.width > 900;
            }).length,
        );
        expect(clipped).toBe(0);
        const legend = await page.$$eval('#map .legend-row text', (ts) => ts.map((t) => t.textContent));
        expect(legend).toEqual(
          expect.arrayContaining([
            'vessel met at sea',
            'AIS gap (no positions)',
            'port',
            'distribution site',
            'alert',
          ]),
        );
        fs.mkdirSync(OUTPUT, { recursive: true });
        await page.screenshot({ path: path.join(OUTPUT, 'console-demo-encounter-map.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
  );
});
