import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import { SseClient } from './support/sse-client';
import { shrinkageStory } from './support/stories';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = path.join(__dirname, '..', 'test-output', 'console');
const available = fs.existsSync(CHROMIUM);

const postEvents = (system: TestSystem, events: unknown[]) =>
  system.fetch(`${system.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });

if (!available && process.env.CI === 'true') {
  describe('web console in a browser', () => {
    it('needs Debian chromium (installed by .ci/run)', () => {
      throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    });
  });
} else if (!available) {
  describe.skip(`web console in a browser (no chromium at ${CHROMIUM})`, () => undefined);
} else {
  describe('web console in a browser', () => {
    jest.setTimeout(120_000);
    let system: TestSystem;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build-console.js')], {
        stdio: 'inherit',
      });
      fs.mkdirSync(OUTPUT, { recursive: true });
      system = await startTestSystem();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      // Nothing may come from anywhere but the console's own origin.
      page.on('request', (req) => {
        if (!req.url().startsWith(system.url)) throw new Error(`console fetched ${req.url()}`);
      });
    });
    afterAll(async () => {
      await browser?.close();
      await system?.stop();
    });

    it('signs in with a dashboard key, sees a live alert arrive, acknowledges it, drops and resumes the stream without loss', async () => {
      await page.goto(`${system.url}/console`);
      // A dashboard of the organisation whose aid the stories follow.
      const key = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
      await page.fill('#key', 'not-a-key');
      await page.click('#login button[type=submit]');
      await page.locator('#login-error', { hasText: 'not valid' }).waitFor();
      await page.fill('#key', key);
      await page.click('#login button[type=submit]');
      await page.waitForSelector('#connection.live');

      const story = shrinkageStory('br1');
      expect((await postEvents(system, story.events)).status).toBe(202);
      const row = page.locator('#alerts tbody tr', { hasText: 'access-denied' });
      await row.waitFor();
      await page.waitForSelector('#live-feed li[data-type="aidwatch.flag.raised.v1"]');

      await row.click();
      // The detail opens beside the table, in view (not below the whole table), and the row is marked.
      await page.locator('#alert-detail h2', { hasText: 'access-denied' }).waitFor();
      expect(await row.getAttribute('aria-selected')).toBe('true');
      expect(await page.locator('aside.side #alert-detail').count()).toBe(1);
      const inView = await page
        .locator('#alert-detail')
        .evaluate(
          (el) =>
            el.getBoundingClientRect().top >= 0 &&
            el.getBoundingClientRect().top < (globalThis as any).innerHeight,
        );
      expect(inView).toBe(true);
      expect(await page.locator('#live-hint').textContent()).toMatch(/since this page opened/);
      await page.fill('#action-note', 'partner asked to reschedule the visit');
      await page.click('#acknowledge');
      await page
        .locator('#alerts tbody tr', { hasText: 'access-denied' })
        .locator('td.status', { hasText: 'acknowledged' })
        .waitFor();
      await page.waitForSelector('#live-feed li[data-type="aidwatch.alert.acknowledged.v1"]');
      // The table was refreshed by the action: the alert's row is still the selected one.
      expect(
        await page.locator('#alerts tbody tr[aria-selected="true"]', { hasText: 'access-denied' }).count(),
      ).toBe(1);
      await page
        .locator('.history li[data-type="acknowledged"]', { hasText: 'partner asked to reschedule' })
        .waitFor();

      // Drop the connection; alerts keep coming meanwhile; resume.
      await page.click('#disconnect');
      await page.waitForSelector('#connection.disconnected');
      const seenBefore = await page.locator('#live-feed li').count();
      const more = shrinkageStory('br2');
      expect((await postEvents(system, more.events)).status).toBe(202);
      await eventually(async () => {
        const res = await system.fetch(`${system.url}/alerts?consignmentId=${more.consignmentId}`);
        return ((await res.json()) as any).items.length >= 2 ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(await page.locator('#live-feed li').count()).toBe(seenBefore);
      await page.click('#reconnect');
      await page.waitForSelector('#connection.live');

      // What the server holds, read in full by a separate client: the console must have every event once.
      const server = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth(key));
      await server.open();
      const total = await eventually(async () => {
        const frames = server.frames.length;
        await new Promise((r) => setTimeout(r, 500));
        return server.frames.length === frames && frames > seenBefore ? frames : undefined;
      });
      await server.close();
      await page.waitForFunction(
        (n) => (globalThis as any).document.querySelectorAll('#live-feed li').length >= n,
        total,
      );
      const shown = await page.$$eval('#live-feed li', (lis) =>
        lis.map((li) => li.getAttribute('data-event-id')).reverse(),
      );
      expect(shown).toEqual(server.frames.map((f) => f.id));
      expect(await page.locator('#live-feed li.duplicate').count()).toBe(0);
      await page.screenshot({ path: path.join(OUTPUT, 'console-alerts.png'), fullPage: true });
    });

    it('shows a consignment with its timeline, quantities per step and map', async () => {
      await page.goto(`${system.url}/console#/consignments/C-br1`);
      await page.waitForSelector('#map svg .land path');
      await page.waitForSelector('.timeline li.flag');
      expect(await page.locator('.quantities tbody tr').count()).toBeGreaterThan(0);
      // Each item on its own scale (units differ): its largest quantity fills its bar.
      const widths = await page.$$eval('.quantities tbody tr', (rows) =>
        rows.map((row) =>
          Math.max(...[...row.querySelectorAll('.bar')].map((b) => parseFloat((b as any).style.width))),
        ),
      );
      expect(widths.every((w) => w === 100)).toBe(true);
      // The map: every track titled with its vessel's MMSI, labels inside the map, a legend row per symbol.
      const titles = await page.$$eval('#map svg path[data-mmsi]', (paths) =>
        paths.map((p) => p.querySelector('title')?.textContent ?? ''),
      );
      expect(titles.every((t) => /\(MMSI \d{9}\)$/.test(t))).toBe(true);
      expect(await page.locator('#map svg path.route title').textContent()).toBe('declared route');
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
        expect.arrayContaining(['declared route', 'port', 'distribution site', 'alert']),
      );
      // The timeline speaks plainly: no event type names, sites and ports by name.
      const steps = await page.$$eval('.timeline li.step', (lis) => lis.map((li) => li.textContent ?? ''));
      expect(steps.join('\n')).not.toMatch(/custody-transferred|recorded at|aidwatch\./);
      expect(steps[0]).toMatch(/Registered/);
      expect(steps.join('\n')).toMatch(
        /Delivered at Sariwon Provincial Paediatric Hospital \(KP-SHW-SARIWON-PH\)/,
      );
      await page.screenshot({ path: path.join(OUTPUT, 'console-consignment.png'), fullPage: true });
      expect(fs.statSync(path.join(OUTPUT, 'console-consignment.png')).size).toBeGreaterThan(10_000);
    });
  });
}
