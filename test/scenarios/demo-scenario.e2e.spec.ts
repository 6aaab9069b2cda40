import { eventTimeOf } from '@aidwatch/detection';
import { DiversionRuleIds, RuleIds, type AidEvent, type RuleId } from '@aidwatch/domain';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { EngineFeed, flagLine } from '../support/engine-feed';

const diversionRules: readonly RuleId[] = DiversionRuleIds;

const { carrier, designatedPartner: partner, carriedConsignment, detouringCarrier: detouring } = DemoCast;

describe('the demo scenario, fed in event-time order to the detection engine', () => {
  const events = demoScenario() as AidEvent[];
  const feed = new EngineFeed().feed(events);

  it('is a few thousand events, in event-time order, with unique ids per source', () => {
    expect(events.length).toBeGreaterThan(1000);
    expect(events.length).toBeLessThan(5000);
    const keys = events.map((e) => `${e.source} ${e.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(demoScenario()).toEqual(events);
  });

  it('ends with the exact flags planted in it', () => {
    expect(feed.lines()).toEqual(
      [
        // Handed on by a county committee outside the chain, then 13.6 % short once distribution is over.
        'broken-custody:CSG-2026-0107:high',
        'quantity-shrinkage:CSG-2026-0107:high',
        // Carried by RYONG SONG 5 and 17 % short at discharge, per item.
        'quantity-shrinkage:CSG-2026-0109:high',
        'quantity-shrinkage:CSG-2026-0109:high',
        'over-authorisation:CSG-2026-0111:high',
        'item-not-exempt:CSG-2026-0111:high',
        // Three denials in a row at Hoeryong, one at Kyongsong after a visit; Hoeryong never verified.
        'access-denied:CSG-2026-0202:critical',
        'access-denied:CSG-2026-0202:high',
        'verification-overdue:CSG-2026-0202:medium',
        'undeclared-location:CSG-2026-0302:high',
        'outside-validity:CSG-2026-0303:high',
        'monitor-finding:CSG-2026-0304:high',
        'quantity-shrinkage:CSG-2026-0304:critical',
        'duplicate-document:CSG-2026-0402:high',
        // Delivered after the revocation and never verified.
        'outside-validity:CSG-2026-0501:critical',
        'verification-overdue:CSG-2026-0501:medium',
        // At sea: the carrier goes dark, meets a designated vessel, drifts with it and comes out lighter.
        `ais-gap:${carrier}:critical`,
        `encounter:${carrier}:critical`,
        `loitering:${carrier}:high`,
        `draught-change:${carrier}:high`,
        `designated-vessel:${carrier}:critical`,
        `encounter:${partner}:critical`,
        `loitering:${partner}:medium`,
        `designated-vessel:${partner}:high`,
        `ais-gap:${partner}:high`,
        // Heard again two days later under another name and call sign, after a second silence.
        `ais-gap:${partner}:high`,
        `identity-change:${partner}:medium`,
        `identity-change:${partner}:medium`,
        // KAPITAN SOKOLOV runs 70 nm off its declared route with two WHO consignments on board.
        `route-deviation:${detouring}:critical`,
        `route-deviation:${detouring}:critical`,
      ].sort(),
    );
  });

  it('raises every rule (all 17), each with evidence, thresholds and an explanation', () => {
    const open = feed.openFlags();
    expect(new Set(open.map((f) => f.rule))).toEqual(new Set(RuleIds));
    expect(RuleIds).toHaveLength(17);
    expect(diversionRules.every((r) => RuleIds.includes(r))).toBe(true);
    const detour = open.filter((f) => f.rule === 'route-deviation');
    // One per consignment whose declared route it left, each naming that consignment alone: what one
    // consignment's registration declared is no flag of the other aid on board (another organisation's, maybe).
    expect(detour.map((f) => f.observed.consignmentId).sort()).toEqual(['CSG-2026-0401', 'CSG-2026-0402']);
    for (const f of detour) expect(f.consignmentIds).toEqual([f.observed.consignmentId]);
    const renamed = open.filter((f) => f.rule === 'identity-change').map((f) => f.observed);
    expect(renamed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name', from: 'YU SON 8', to: 'SU SONG' }),
        expect.objectContaining({ field: 'callsign', from: 'HMUS8', to: 'HMSS2' }),
      ]),
    );
    const ids = new Set(events.map((e) => e.id));
    for (const flag of open) {
      expect(flag.evidence.length).toBeGreaterThan(0);
      expect(flag.evidence.every((id) => ids.has(id))).toBe(true);
      expect(flag.explanation).toMatch(/^[A-Z0-9].{30,}\.$/);
      expect(Object.keys(flag.threshold).length).toBeGreaterThan(0);
    }
  });

  it('leaves the clean consignments without any flag, open or ever raised', () => {
    const touched = new Set(feed.raised.flatMap((f) => f.consignmentIds));
    for (const id of DemoCast.cleanConsignments) expect([id, touched.has(id)]).toEqual([id, false]);
    const views = DemoCast.cleanConsignments.map((id) => feed.engine.diversion.consignmentView(id));
    expect(views.map((v) => [v?.consignmentId, v?.status, v?.riskLevel])).toEqual(
      DemoCast.cleanConsignments.map((id) => [id, 'verified', 'none']),
    );
  });

  it("attaches the carrier's flags to the consignment it had on board, and the partner's to none of its own", () => {
    const atSea = feed
      .openFlags()
      .filter((f) => f.subject.kind === 'vessel' && [carrier, partner].includes(f.subject.id));
    const linked = atSea
      .filter((f) => f.consignmentIds.includes(carriedConsignment))
      .map(flagLine)
      .sort();
    expect(linked).toEqual(
      [
        `ais-gap:${carrier}:critical`,
        `designated-vessel:${carrier}:critical`,
        `draught-change:${carrier}:high`,
        `encounter:${carrier}:critical`,
        `encounter:${partner}:critical`,
        `loitering:${carrier}:high`,
      ].sort(),
    );
    for (const f of atSea) expect(f.consignmentIds.every((c) => c === carriedConsignment)).toBe(true);
    const view = feed.engine.diversion.consignmentView(carriedConsignment);
    expect(view?.openFlags.map((f) => f.rule).sort()).toEqual(['quantity-shrinkage', 'quantity-shrinkage']);
  });

  it('judges the time-based rules only once their time has come', () => {
    const until = (iso: string) => events.filter((e) => eventTimeOf(e) < Date.parse(iso));
    const linesUntil = (iso: string) => new EngineFeed().feed(until(iso)).lines();
    // Hoeryong delivery on 1 June 02:00: due 1 July, judged after the allowed day of lateness on the clock of
    // the UNICEF programme's feeds; they are quiet then, so it comes when the others have gone on for the
    // idle bound (3 days) — never from another programme's clock alone.
    expect(linesUntil('2026-07-02T02:00:00Z')).not.toContain('verification-overdue:CSG-2026-0202:medium');
    expect(linesUntil('2026-07-05T02:00:00Z')).not.toContain('verification-overdue:CSG-2026-0202:medium');
    expect(linesUntil('2026-07-08T00:00:00Z')).toContain('verification-overdue:CSG-2026-0202:medium');
    // Last delivery of CSG-2026-0107 on 12 June 03:00: its total is judged once 30 days pass without another,
    // on the clock of its programme's feeds (released by the others' event time when quiet).
    expect(linesUntil('2026-07-12T03:00:00Z')).not.toContain('quantity-shrinkage:CSG-2026-0107:high');
    expect(linesUntil('2026-07-20T00:00:00Z')).toContain('quantity-shrinkage:CSG-2026-0107:high');
    // The carrier is flagged once it has been silent 12 h, before it reappears; the flag then covers the
    // whole silence.
    const gaps = feed.raised.filter((f) => f.rule === 'ais-gap' && f.subject.id === carrier);
    expect(gaps).toHaveLength(2);
    const [whileDark, afterwards] = gaps;
    expect(Date.parse(whileDark.raisedAt) - Date.parse(String(whileDark.observed.silentSince))).toBe(
      12 * 3_600_000,
    );
    expect(afterwards.observed.silentHours).toBeGreaterThan(16);
    expect(feed.cleared.map((c) => c.flagId)).toContain(whileDark.flagId);
  });
});
