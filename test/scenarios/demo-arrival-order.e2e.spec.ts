import type { AidEvent, Flag } from '@aidwatch/domain';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { arrivalOrder, isAisReport, shuffled } from '../support/arrival-order';
import { EngineFeed, flagLine } from '../support/engine-feed';

const DAY = 86_400_000;
const MINUTE = 60_000;
const seeds = [11, 23, 47];

// Everything but the wording, which may name a site by id only (see the known limitations below).
const withoutText = ({ explanation, ...flag }: Flag) => ({ ...flag, explanation: explanation.length > 0 });

describe('the demo scenario arriving in another order', () => {
  const events = demoScenario() as AidEvent[];
  const inOrder = new EngineFeed().feed(events);

  it.each(seeds)(
    'seed %i: consignment and reference reports up to 30 days late give the same open flags',
    (seed) => {
      const arriving = arrivalOrder(events, { seed, maxLateMs: 30 * DAY, jitterMs: MINUTE });
      expect(arriving.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect(arriving.filter((e) => !isAisReport(e))).not.toEqual(events.filter((e) => !isAisReport(e)));

      const feed = new EngineFeed().feed(arriving);
      expect(feed.openIds()).toEqual(inOrder.openIds());
      expect(feed.openFlags().filter((f) => f.subject.kind === 'consignment')).toEqual(
        inOrder.openFlags().filter((f) => f.subject.kind === 'consignment'),
      );
    },
  );

  it.each(seeds)('seed %i: the diversion facts alone, fully shuffled, give the same open flags', (seed) => {
    const facts = events.filter((e) => !isAisReport(e));
    const expected = new EngineFeed().feed(facts).openFlags().map(withoutText);
    expect(expected.length).toBeGreaterThan(15);
    expect(new EngineFeed().feed(shuffled(facts, seed)).openFlags().map(withoutText)).toEqual(expected);
  });

  it('a report dated weeks ahead of the AIS feed does not raise AIS gaps for ships under way', () => {
    // The demo's last report (a monitoring visit in October) arrives first, everything else in order:
    // the maritime rules keep their own clock (AIS event time), so ships at sea do not look dark.
    const early = events[events.length - 1];
    const feed = new EngineFeed().feed([early, ...events.slice(0, -1)]);
    expect(feed.lines()).toEqual(inOrder.lines());
  });

  // What the maritime rules do not (yet) tolerate, kept as executable notes: each `failing` test documents a
  // known limitation and starts to fail, asking to be turned into a plain test, once the limitation is gone.
  describe('known limitations', () => {
    it.failing(
      'two vessels whose streams interleave differently, within the 10-minute skew, meet the same way',
      () => {
        for (const seed of seeds) {
          const arriving = arrivalOrder(events, {
            seed,
            maxLateMs: 0,
            maxVesselLagMs: 8 * MINUTE,
            jitterMs: 30_000,
          });
          expect(new EngineFeed().feed(arriving).openIds()).toEqual(inOrder.openIds());
        }
      },
    );

    it.failing(
      'a flag raised before its exemption arrived names the sites once the exemption is known',
      () => {
        const facts = events.filter((e) => !isAisReport(e));
        const grantsLast = [
          ...facts.filter((e) => !/exemption\.granted/.test(e.type)),
          ...facts.filter((e) => /exemption\.granted/.test(e.type)),
        ];
        const explanations = (feed: EngineFeed) => feed.openFlags().map((f) => f.explanation);
        expect(explanations(new EngineFeed().feed(grantsLast))).toEqual(
          explanations(new EngineFeed().feed(facts)),
        );
      },
    );

    it.failing("a carrier's consignment reported after its flags at sea is still linked to them", () => {
      // Registration, loading and departure come in last (a lagging logistics feed).
      const paperwork = events.filter(
        (e) =>
          e.subject === DemoCast.carriedConsignment && /\.(registered|loaded|departed)\.v1$/.test(e.type),
      );
      expect(paperwork).toHaveLength(3);
      const late = [...events.filter((e) => !paperwork.includes(e)), ...paperwork];
      const atSea = (feed: EngineFeed) =>
        feed
          .openFlags()
          .filter((f) => f.subject.kind === 'vessel')
          .map((f) => `${flagLine(f)}:${f.consignmentIds}`);
      expect(atSea(new EngineFeed().feed(late))).toEqual(atSea(inOrder));
    });
  });
});
