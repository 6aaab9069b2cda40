import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AidEvent } from '@aidwatch/domain';
import { designationStateOf, planImport, readSanctionsFile, type ImportPlan } from '@aidwatch/sanctions';
import {
  hours,
  MaritimeScenario,
  minutes,
  OPEN_SEA,
  offsetKm,
  registration,
  staticReport,
  track,
} from './testing/maritime-scenario';

const fixtures = path.join(__dirname, '../../../sanctions/src/fixtures');
const list = (name: string) => readSanctionsFile(fs.readFileSync(path.join(fixtures, name)));
const LISTED_AT = new Date(hours(-48));
const CARRIER = '352111000';
/** An MMSI the lists do not give: the vessel is matched by the IMO number it reports. */
const CHON_MA_SAN_MMSI = '445602111';
const meeting = { start: minutes(0), everyMinutes: 10, count: 14, sog: 0, reportedSog: 0.4 };

function imported(...plans: ImportPlan[]): AidEvent[] {
  return plans.flatMap((p) => p.events);
}

describe('designated-vessel with imported sanctions lists', () => {
  const sdn = planImport(list('ofac-sdn.csv'), new Map(), LISTED_AT);
  const un = planImport(list('un-consolidated.xml'), new Map(), LISTED_AT);

  it('a listed vessel meeting a carrier raises a flag naming the list and reference', () => {
    const s = new MaritimeScenario({ onBoard: { [CARRIER]: ['C-1'] } }).feed(
      imported(sdn),
      [staticReport(CHON_MA_SAN_MMSI, minutes(-10), { imo: '8660313', name: 'CHON MA SAN' })],
      track(CARRIER, { ...meeting, from: OPEN_SEA }),
      track(CHON_MA_SAN_MMSI, { ...meeting, from: offsetKm(OPEN_SEA, 0.2, 0) }),
    );
    const met = s.open('designated-vessel').filter((f) => f.subject.id === CARRIER);
    expect(met).toEqual([
      expect.objectContaining({
        severity: 'critical',
        consignmentIds: ['C-1'],
        observed: expect.objectContaining({
          list: 'OFAC-SDN',
          reference: '24336',
          listRef: 'OFAC-SDN 24336',
          listedImo: '8660313',
          matchedBy: 'imo',
          role: 'encounter partner',
        }),
      }),
    ]);
    expect(met[0].explanation).toContain('OFAC-SDN 24336 as "CHON MA SAN" (matched by IMO 8660313)');
  });

  it('a delisting clears the flags the listing raised', () => {
    const first = list('ofac-sdn.csv');
    const s = new MaritimeScenario({ onBoard: { [CARRIER]: ['C-1'] } }).feed(
      imported(sdn),
      [staticReport('445130000', minutes(-10), { imo: '8604917', name: 'YU JONG 2' })],
      track(CARRIER, { ...meeting, from: OPEN_SEA }),
      track('445130000', { ...meeting, from: offsetKm(OPEN_SEA, 0.2, 0) }),
    );
    expect(s.open('designated-vessel').map((f) => f.observed.listRef)).toEqual([
      'OFAC-SDN 22720',
      'OFAC-SDN 22720',
    ]);
    const later = planImport(list('ofac-sdn-later.csv'), designationStateOf(sdn.events), new Date(hours(5)));
    s.feed(later.events);
    expect(s.open('designated-vessel')).toEqual([]);
    expect(s.cleared.map((c) => c.reason)).toEqual(['delisted: OFAC-SDN 22720', 'delisted: OFAC-SDN 22720']);
    expect(first.vessels.some((v) => v.name === 'YU JONG 2')).toBe(true);
  });

  it('a ship on two lists stays flagged by the other when one delists it', () => {
    const s = new MaritimeScenario().feed(imported(sdn, un), [
      staticReport('445777000', hours(1), { imo: '7408873', name: 'SAM JONG 2' }),
    ]);
    // The UN listing is the older (its file is dated 2024-11-27; the OFAC CSV carries no date).
    expect(s.open('designated-vessel').map((f) => f.observed.listRef)).toEqual(['UN-SC KPe.060']);
    const without = planImport(
      { ...list('un-consolidated.xml'), vessels: [] },
      designationStateOf(un.events),
      new Date(hours(2)),
    );
    s.feed(without.events);
    expect(s.open('designated-vessel').map((f) => f.observed.listRef)).toEqual(['OFAC-SDN 24343']);
  });

  it('matches a carrier by name only as a weaker, labelled match, and not when its IMO differs', () => {
    const byName = registration(hours(1), 'C-7', { mmsi: '445000007', name: 'Chong-Bong' }, 'CNDLC', 'KPNAM');
    const otherShip = registration(
      hours(1),
      'C-8',
      { mmsi: '445000008', imo: '9074729', name: 'CHONG BONG' },
      'CNDLC',
      'KPNAM',
    );
    const s = new MaritimeScenario().feed(imported(un), [byName, otherShip]);
    expect(s.open('designated-vessel')).toEqual([
      expect.objectContaining({
        // nameMatchSeverity (medium), one level up with aid on board; by IMO it would be critical.
        severity: 'high',
        consignmentIds: ['C-7'],
        observed: expect.objectContaining({
          matchedBy: 'name',
          reference: 'KPe.029',
          listedName: 'Chong Bong',
        }),
      }),
    ]);
    expect(s.open('designated-vessel')[0].explanation).toContain('matched by name only: a weaker match');
  });
});
