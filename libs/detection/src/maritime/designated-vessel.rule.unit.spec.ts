import {
  designation,
  hours,
  MaritimeScenario,
  minutes,
  OPEN_SEA,
  offsetKm,
  position,
  registration,
  staticReport,
  track,
} from './testing/maritime-scenario';

const LISTED = '445999000';
const LISTED_IMO = '9074729';
const CARRIER = '352111000';
const listing = designation(hours(-48), { name: 'RYE SONG GANG 1', imo: LISTED_IMO });

describe('designated-vessel rule', () => {
  it('flags a listed vessel once when it is seen, matched by IMO', () => {
    const s = new MaritimeScenario().feed(
      [listing],
      [position(LISTED, hours(1), OPEN_SEA, 9)],
      [staticReport(LISTED, hours(2), { imo: LISTED_IMO, name: 'SONG GANG' })],
      [staticReport(LISTED, hours(3), { imo: LISTED_IMO, name: 'SONG GANG' })],
    );
    expect(s.flags('designated-vessel')).toEqual([
      expect.objectContaining({
        subject: { kind: 'vessel', id: LISTED },
        severity: 'high',
        evidence: [listing.id, `static-${LISTED}-${hours(2)}`].sort(),
        explanation:
          'SONG GANG (MMSI 445999000) is on the designated vessel list UNSC-1718 as "RYE SONG GANG 1" ' +
          '(matched by IMO 9074729).',
      }),
    ]);
  });

  it('flags a vessel already tracked when its listing arrives', () => {
    const byMmsi = designation(hours(5), { name: 'KUM UN SAN 3', mmsi: LISTED });
    const s = new MaritimeScenario().feed([position(LISTED, hours(1), OPEN_SEA, 9)], [byMmsi]);
    expect(s.flags('designated-vessel')).toEqual([
      expect.objectContaining({ evidence: [byMmsi.id, `pos-${LISTED}-${hours(1)}`].sort() }),
    ]);
  });

  it('flags a consignment registered to be carried by a listed vessel (critical)', () => {
    const reg = registration(
      hours(1),
      'C-9',
      { mmsi: '445000001', imo: `IMO${LISTED_IMO}`, name: 'RYE SONG' },
      'CNDLC',
      'KPNAM',
    );
    const s = new MaritimeScenario().feed([listing], [reg]);
    expect(s.flags('designated-vessel')).toEqual([
      expect.objectContaining({
        severity: 'critical',
        consignmentIds: ['C-9'],
        explanation:
          'Consignment C-9 is registered to be carried by RYE SONG (MMSI 445000001), which is on the designated ' +
          'vessel list UNSC-1718 as "RYE SONG GANG 1" (matched by IMO 9074729); aid on board: C-9.',
      }),
    ]);
  });

  it('flags the vessel that meets a listed one in an encounter', () => {
    const common = { start: minutes(0), everyMinutes: 10, count: 14, sog: 0, reportedSog: 0.4 };
    const s = new MaritimeScenario({ onBoard: { [CARRIER]: ['C-1'] } }).feed(
      [listing, staticReport(LISTED, minutes(-10), { imo: LISTED_IMO })],
      track(CARRIER, { ...common, from: OPEN_SEA }),
      track(LISTED, { ...common, from: offsetKm(OPEN_SEA, 0.2, 0) }),
    );
    const met = s.flags('designated-vessel').filter((f) => f.subject.id === CARRIER);
    expect(met).toEqual([
      expect.objectContaining({
        severity: 'critical',
        consignmentIds: ['C-1'],
        observed: expect.objectContaining({ partnerMmsi: LISTED, role: 'encounter partner' }),
      }),
    ]);
    expect(met[0].explanation).toMatch(
      /^MMSI 352111000 met MMSI 445999000, which is on the designated vessel list/,
    );
  });

  it('a listing that arrives after the encounter and the sightings brings the flags a timely one raises', () => {
    const byMmsi = designation(minutes(-60), { name: 'KUM UN SAN 3', mmsi: LISTED });
    const common = { start: minutes(0), everyMinutes: 10, count: 40, sog: 0, reportedSog: 0.4 };
    const carrier = track(CARRIER, { ...common, from: OPEN_SEA });
    const listed = track(LISTED, { ...common, from: offsetKm(OPEN_SEA, 0.2, 0) });
    const timely = new MaritimeScenario().feed([byMmsi], carrier, listed).advanceTo(hours(48));
    const late = new MaritimeScenario().feed(carrier, listed).feed([byMmsi]).advanceTo(hours(48));
    const ids = (s: MaritimeScenario) =>
      s
        .open('designated-vessel')
        .map((f) => `${f.subject.id} ${f.flagId}`)
        .sort();
    // The listed vessel's sighting (its first report) and the carrier's flag for meeting it, with the
    // encounter's final figures (its flag raised when it qualified was superseded when it ended).
    expect(
      timely
        .open('designated-vessel')
        .map((f) => f.subject.id)
        .sort(),
    ).toEqual([CARRIER, LISTED]);
    expect(timely.flags('designated-vessel').filter((f) => f.subject.id === CARRIER)).toHaveLength(2);
    expect(ids(late)).toEqual(ids(timely));
    const met = late.open('designated-vessel').find((f) => f.subject.id === CARRIER)!;
    expect(met.explanation).toMatch(/for 6 h 30 min\.$/);
  });

  it('does not flag vessels that are not listed', () => {
    const s = new MaritimeScenario().feed(
      [listing],
      [position(CARRIER, hours(1), OPEN_SEA, 9), staticReport(CARRIER, hours(2), { imo: '9230880' })],
      [registration(hours(3), 'C-2', { mmsi: CARRIER, imo: '9230880' }, 'CNDLC', 'KPNAM')],
    );
    expect(s.flags('designated-vessel')).toEqual([]);
  });
});
