import { AlertBook } from '@aidwatch/alerts';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import { flagClearedEvent, flagRaisedEvent } from '@aidwatch/projections';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { EngineFeed } from '../support/engine-feed';

/** The personal values of the demo: every monitor id and every recipient's name it records. */
function personalValuesOf(events: readonly AidEvent[]): { monitors: string[]; recipients: string[] } {
  const monitors = new Set<string>();
  const recipients = new Set<string>();
  for (const e of events) {
    if (e.type === EventTypes.VerificationReported || e.type === EventTypes.AccessDenied)
      monitors.add(e.data.monitorId);
    if (e.type === EventTypes.DeliveryRecorded) recipients.add(e.data.receivedBy);
  }
  return { monitors: [...monitors], recipients: [...recipients] };
}

const leaks = (value: unknown, personal: readonly string[]) => {
  const text = JSON.stringify(value);
  return personal.filter((p) => text.includes(p));
};

describe('the demo scenario’s flags and alerts name no person', () => {
  const events = demoScenario() as AidEvent[];
  const feed = new EngineFeed().feed(events);
  const { monitors, recipients } = personalValuesOf(events);
  const personal = [...monitors, ...recipients];

  it('has monitors and recipients to leak, and flags of the rules that judge their visits', () => {
    expect(monitors.length).toBeGreaterThanOrEqual(3);
    expect(recipients.length).toBeGreaterThanOrEqual(3);
    const rules = new Set(feed.raised.map((f) => f.rule));
    for (const rule of ['access-denied', 'monitor-finding', 'quantity-shrinkage'])
      expect(rules).toContain(rule);
  });

  it('no flag raised or cleared, in any field, quotes a monitor id or a recipient', () => {
    expect(feed.raised.length).toBeGreaterThan(20);
    expect(feed.raised.flatMap((f) => leaks(f, personal).map((p) => `${f.rule} ${f.flagId}: ${p}`))).toEqual(
      [],
    );
    expect(feed.cleared.flatMap((f) => leaks(f, personal))).toEqual([]);
    const denied = feed.raised.filter((f) => f.rule === 'access-denied');
    expect(denied.every((f) => typeof f.observed.monitors === 'number' && f.evidence.length > 0)).toBe(true);
  });

  it('alerts (and so webhook payloads and the alert stream) are built from flags and reference data only', () => {
    const book = new AlertBook();
    let n = 0;
    const apply = (type: string, data: unknown) =>
      book.apply({ id: `e${++n}`, type, data, recordedAt: '2026-12-01T00:00:00Z' });
    for (const e of events)
      if (e.type === EventTypes.ExemptionGranted || e.type === EventTypes.ConsignmentRegistered)
        apply(e.type, e);
    const flagEvents = [...feed.raised.map(flagRaisedEvent), ...feed.cleared.map(flagClearedEvent)];
    for (const e of flagEvents) apply(e.type, e);
    const alerts = [...book.all()];
    expect(alerts.length).toBeGreaterThan(10);
    expect(leaks(alerts, personal)).toEqual([]);
    // A webhook delivery's body is the stored flag or lifecycle CloudEvent as JSON.
    expect(leaks(flagEvents, personal)).toEqual([]);
  });
});
