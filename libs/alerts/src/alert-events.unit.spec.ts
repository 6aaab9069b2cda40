import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as fc from 'fast-check';
import { AlertLifecycleTypes, outboundSchemas, RuleIds, Severities } from '@aidwatch/domain';
import { AlertEventTypes, AlertStatuses, alertLifecycleEvent, type AlertEventType } from './alert-events';

describe('alert lifecycle events against the published contract', () => {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  const schemas = outboundSchemas();

  it('are the types the AsyncAPI document and the schemas name', () => {
    expect(Object.values(AlertEventTypes).sort()).toEqual(Object.values(AlertLifecycleTypes).sort());
  });

  it('every lifecycle event the alerts library writes validates against its published schema', () => {
    const anEvent = fc
      .record({
        type: fc.constantFrom(...(Object.values(AlertEventTypes) as AlertEventType[])),
        alertId: fc.stringMatching(/^[0-9a-f]{32}$/),
        by: fc.constantFrom('key:0123456789abcdef', 'user@example.org'),
        at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        note: fc.string({ minLength: 1, maxLength: 40 }),
        assignee: fc.constantFrom('desk', 'monitoring team'),
        rule: fc.constantFrom(...RuleIds),
        severity: fc.constantFrom(...Severities),
        status: fc.constantFrom(...AlertStatuses),
        kind: fc.constantFrom('consignment' as const, 'vessel' as const),
      })
      .map((r) =>
        alertLifecycleEvent(`evt-${r.alertId}`, r.type, {
          alertId: r.alertId,
          by: r.by,
          at: r.at.toISOString(),
          ...(r.type !== AlertEventTypes.Acknowledged && { note: r.note }),
          ...(r.type === AlertEventTypes.Assigned && { assignee: r.assignee }),
          alert: {
            alertId: r.alertId,
            rule: r.rule,
            severity: r.severity,
            subject: { kind: r.kind, id: r.kind === 'vessel' ? '445123000' : 'CSG-2024-0117' },
            consignmentIds: ['CSG-2024-0117'],
            status: r.status,
          },
        }),
      );
    fc.assert(
      fc.property(anEvent, (event) => {
        const validate =
          ajv.getSchema(event.type) ?? ajv.compile({ ...schemas[event.type], $id: event.type });
        if (!validate(event)) throw new Error(ajv.errorsText(validate.errors));
      }),
    );
  });

  it('a resolved event without a note breaks the contract', () => {
    const validate = ajv.compile(schemas[AlertEventTypes.Resolved]);
    const event = alertLifecycleEvent('e', AlertEventTypes.Resolved, {
      alertId: 'a',
      by: 'key:1',
      at: '2026-01-01T00:00:00.000Z',
      alert: {
        alertId: 'a',
        rule: 'ais-gap',
        severity: 'high',
        subject: { kind: 'vessel', id: '445123000' },
        consignmentIds: [],
        status: 'resolved',
      },
    });
    expect(validate(event)).toBe(false);
  });
});
