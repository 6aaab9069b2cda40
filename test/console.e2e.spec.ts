import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import { SseClient } from './support/sse-client';
import { shrinkageStory } from './support/stories';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Screenshots go to a temporary folder (CONSOLE_SCREENSHOTS to choose it), never into the repository.
const OUTPUT = process.env.CONSOLE_SCREENSHOTS ?? path.join(os.tmpdir(), 'aidwatch-console-screenshots');
const available = fs.existsSync(CHROMIUM);

const postEvents = (system: TestSystem, events: unknown[]) =>
  system.fetch(`${system.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });

/** Labels (Leaflet tooltips) that reach past the map's box: none may be clipped. */
async function labelsOutsideMap(page: Page): Promise<string[]> {
  return page.$$eval('#map .leaflet-tooltip', (labels) => {
    const box = (labels[0]?.closest('.leaflet-container') as any)?.getBoundingClientRect();
    return labels
      .filter((l) => {
        const r = (l as any).getBoundingClientRect();
        return r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
      })
      .map((l) => l.textContent ?? '');
  });
}

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
      const key = system.credential({
        role: 'dashboard',
        tenant: 'World Food Programme',
        label: 'WFP Pyongyang desk',
      });
      await page.fill('#key', 'not-a-key');
      await page.click('#login button[type=submit]');
      await page.locator('#login-error', { hasText: 'not valid' }).waitFor();
      await page.fill('#key', key);
      await page.click('#login button[type=submit]');
      await page.waitForSelector('#connection.live');
      // Who is signed in, and in which role: what GET /me says of the key.
      const me = (await (await system.fetch(`${system.url}/me`, { as: key })).json()) as any;
      expect(me).toMatchObject({
        role: 'dashboard',
        tenant: 'World Food Programme',
        label: 'WFP Pyongyang desk',
      });
      expect(await page.locator('#whoami-name').textContent()).toBe(me.label);
      expect(await page.locator('#whoami-role').textContent()).toBe(me.role);
      expect(await page.locator('#whoami-tenant').textContent()).toBe(me.tenant);
      // "Live events 0" says what it counts.
      expect(await page.locator('#event-count').textContent()).toBe('0');
      expect(await page.locator('.live h2').getAttribute('title')).toMatch(/since this page opened/);
      expect(await page.locator('#live-hint').textContent()).toMatch(/0 means none has happened since/);

      const story = shrinkageStory('br1');
      expect((await postEvents(system, story.events)).status).toBe(202);
      const row = page.locator('#alerts tbody tr', { hasText: 'access-denied' });
      await row.waitFor();
      await page.waitForSelector('#live-feed li[data-type="aidwatch.flag.raised.v1"]');
      // The live feed speaks plainly: what happened, to which rule, at what time; no event type names.
      const raisedText = await page
        .locator('#live-feed li[data-type="aidwatch.flag.raised.v1"]')
        .first()
        .textContent();
      expect(raisedText).toMatch(/^[a-z-]+ flag raised, \d\d:\d\d( · .+)?$/);
      expect(await page.locator('#live-feed').textContent()).not.toMatch(/aidwatch\.|\.v\d/);

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
      expect(
        await page.locator('#live-feed li[data-type="aidwatch.alert.acknowledged.v1"]').first().textContent(),
      ).toMatch(/^access-denied alert acknowledged, \d\d:\d\d/);
      expect(await page.locator('#detail-summary').textContent()).toMatch(
        /^Happened (once|\d+ times), about consignment C-br1; last updated /,
      );
      // The table was refreshed by the action: the alert's row is still the selected one.
      expect(
        await page.locator('#alerts tbody tr[aria-selected="true"]', { hasText: 'access-denied' }).count(),
      ).toBe(1);
      const acknowledged = page.locator('.history li[data-type="acknowledged"]', {
        hasText: 'partner asked to reschedule',
      });
      await acknowledged.waitFor();
      // The history names the key by its label, not key:<id>; the API says the same.
      expect(await acknowledged.locator('.by').textContent()).toBe('WFP Pyongyang desk');
      expect(await acknowledged.textContent()).not.toMatch(/key:/);
      const alertId = await page
        .locator('#alerts tbody tr[aria-selected="true"]')
        .getAttribute('data-alert-id');
      const apiAlert = (await (
        await system.fetch(`${system.url}/alerts/${alertId}`, { as: key })
      ).json()) as any;
      expect(apiAlert.history.find((e: any) => e.type === 'acknowledged')).toMatchObject({
        by: me.subject,
        byName: 'WFP Pyongyang desk',
      });
      expect(apiAlert.history.find((e: any) => e.type === 'raised').byName).toBe('detector');

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
      await page.waitForSelector('#map svg path.land');
      await page.waitForSelector('.timeline li.flag');
      expect(await page.locator('.quantities tbody tr').count()).toBeGreaterThan(0);
      // Each item on its own scale (units differ): its largest quantity fills its bar.
      const widths = await page.$$eval('.quantities tbody tr', (rows) =>
        rows.map((row) =>
          Math.max(...[...row.querySelectorAll('.bar')].map((b) => parseFloat((b as any).style.width))),
        ),
      );
      expect(widths.every((w) => w === 100)).toBe(true);
      // The map: ports and sites as SVG markers titled by name, labels inside the map, a legend row per symbol.
      const api = (await (await system.fetch(`${system.url}/consignments/C-br1/map`)).json()) as any;
      const siteTitles = await page.$$eval('#map svg path.site title', (ts) => ts.map((t) => t.textContent));
      expect(siteTitles.sort()).toEqual(
        api.sites.map((x: any) => `distribution site ${x.name} (${x.siteId})`).sort(),
      );
      expect(await labelsOutsideMap(page)).toEqual([]);
      const legend = await page.$$eval('#map .legend-row span', (ts) => ts.map((t) => t.textContent));
      expect(legend).toEqual(expect.arrayContaining(['distribution site', 'alert']));
      // The carrier sent no AIS position in this story: the legend says so.
      expect(api.vessel.track).toEqual([]);
      expect(legend).toContain(
        `carrier ${api.vessel.name} (MMSI ${api.vessel.mmsi}): no AIS positions in this period`,
      );
      // The browser's icon request is answered.
      const icon = await system.fetch(`${system.url}/favicon.ico`, { as: null });
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(await icon.text()).toMatch(/^<svg /);
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

    it('lists consignments with search and filters (risk, status, exemption, vessel), as GET /consignments does', async () => {
      const more = shrinkageStory('br3');
      expect((await postEvents(system, more.events)).status).toBe(202);
      const key = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
      const apiIds = async (query: string) =>
        (
          (
            (await (
              await system.fetch(`${system.url}/consignments?limit=10000&${query}`, { as: key })
            ).json()) as any
          ).items as Array<{ consignmentId: string }>
        )
          .map((c) => c.consignmentId)
          .sort();
      await eventually(async () => ((await apiIds('')).includes(more.consignmentId) ? true : undefined));
      await page.click('nav a[href="#/consignments"]');
      await page.waitForSelector('#consignments tbody tr');
      const shown = async () =>
        (
          await page.$$eval('#consignments tbody tr', (rows) =>
            rows.map((r) => r.getAttribute('data-consignment-id') ?? ''),
          )
        ).sort();
      /** Waits until the table shows `expected` (the rows of the answer the page asked for). */
      const settle = async (expected: string[], what: string) => {
        let seen: string[] = [];
        for (let i = 0; i < 100; i++) {
          seen = await shown();
          if (JSON.stringify(seen) === JSON.stringify(expected)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect({ what, seen }).toEqual({ what, seen: expected });
      };
      expect(await shown()).toEqual(await apiIds(''));
      // Search: one consignment by part of its id.
      await page.fill('#search', 'br3');
      await page.click('#consignment-filters button[type=submit]');
      await settle(await apiIds('q=br3'), 'q=br3');
      expect(await shown()).toContain(more.consignmentId);
      expect((await shown()).every((id) => id.includes('br3'))).toBe(true);
      await page.fill('#search', '');
      // Each filter as the API filters.
      const risk = await page.$$eval('#filter-risk option', (os) => os.map((o) => (o as any).value));
      expect(risk).toEqual(['', 'critical', 'high', 'medium', 'low', 'none']);
      for (const [select, param] of [
        ['#filter-risk', 'risk'],
        ['#filter-status', 'status'],
        ['#filter-exemption', 'exemptionId'],
        ['#filter-vessel', 'mmsi'],
      ]) {
        const values = await page.$$eval(`${select} option`, (os) =>
          os.map((o) => (o as any).value as string).filter(Boolean),
        );
        expect(values.length).toBeGreaterThan(0);
        const value = values[0];
        await page.selectOption(select, value);
        await settle(await apiIds(`${param}=${encodeURIComponent(value)}`), `${param}=${value}`);
        await page.selectOption(select, '');
        await settle(await apiIds(''), `${param} cleared`);
      }
      await page.selectOption('#filter-exemption', more.exemptionId);
      await settle(await apiIds(`exemptionId=${more.exemptionId}`), 'exemptionId');
      expect(await shown()).toContain(more.consignmentId);
      await page.screenshot({ path: path.join(OUTPUT, 'console-consignment-list.png'), fullPage: true });
      await page.selectOption('#filter-exemption', '');
      // Statuses in console words: "verified" (a monitor reported) reads "monitored".
      const statuses = await page.$$eval('#consignments tbody td.status', (tds) =>
        tds.map((td) => [td.getAttribute('data-status'), td.textContent]),
      );
      for (const [status, text] of statuses)
        expect(text).toBe(
          status === 'verified' ? 'monitored' : status === 'in-custody' ? 'in custody' : status,
        );

      // From the list to the vessel page: its consignments are those the API lists for it.
      await page
        .locator(`#consignments tbody tr[data-consignment-id="${more.consignmentId}"]`)
        .locator('td a[href^="#/vessels/"]')
        .click();
      await page.waitForSelector('#vessel-mmsi');
      const mmsi = (await page.locator('#vessel-mmsi').textContent())!.replace('MMSI ', '');
      const vessel = (await (await system.fetch(`${system.url}/vessels/${mmsi}`, { as: key })).json()) as any;
      const carried = await page.$$eval('#vessel-consignments tbody tr', (rows) =>
        rows.map((r) => r.getAttribute('data-consignment-id')),
      );
      expect(carried.sort()).toEqual(vessel.consignments.map((c: any) => c.consignmentId).sort());
      expect(carried).toContain(more.consignmentId);
      expect(await apiIds(`mmsi=${mmsi}`)).toEqual(carried.sort());
      await page.screenshot({ path: path.join(OUTPUT, 'console-vessel-no-track.png'), fullPage: true });
    });
  });
}
