import { randomUUID } from 'node:crypto';
import { SampleIds } from '@aidwatch/domain/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { writeCheckpoint } from './audit-checkpoint';
import { exportLines, type ExportScope } from './event-export';
import { verifyExport } from './export-verification';
import { appendFacts, auditStory, raiseFlag } from './testing/audit-story';

async function* linesOf(text: string): AsyncGenerator<string> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  yield* lines;
}

describe('exporting an audit trail and verifying it offline', () => {
  let store: EmbeddedEventStore;
  const now = () => new Date('2024-05-01T00:00:00Z');

  beforeEach(async () => {
    store = EmbeddedEventStore.temporary();
    await appendFacts(store, auditStory());
    await raiseFlag(store);
  });
  afterEach(() => store.close());

  async function exported(scope: ExportScope, format: 'ndjson' | 'csv' = 'ndjson'): Promise<string> {
    const checkpoint = await writeCheckpoint(store, randomUUID, now);
    let text = '';
    for await (const line of exportLines(store, scope, { format, checkpoint, now, newId: randomUUID }))
      text += line;
    return text;
  }

  it('a consignment exports with its exemption, flags and the vessel while it was on board, and verifies', async () => {
    const text = await exported({ kind: 'consignment', consignmentId: SampleIds.consignmentId });
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; subject?: string; data: { id?: string } });
    expect(lines[0].type).toBe('aidwatch.audit.export-started.v1');
    expect(lines[1].type).toBe('aidwatch.audit.checkpoint.v1');
    expect(lines.at(-1)?.type).toBe('aidwatch.audit.export-completed.v1');
    const subjects = lines.slice(2, -1).map((l) => l.subject);
    expect(new Set(subjects)).toEqual(
      new Set([
        `consignment-${SampleIds.consignmentId}`,
        `exemption-${SampleIds.exemptionId}`,
        `risk-consignment-${SampleIds.consignmentId}`,
        `vessel-${SampleIds.vesselMmsi}`,
      ]),
    );
    const positions = lines.slice(2, -1).map((l) => l.data.id);
    expect(positions).toContain('pos-at-sea');
    expect(positions).not.toContain('pos-long-before');

    const report = await verifyExport(linesOf(text));
    expect(report).toMatchObject({ ok: true, events: 9, checkpoints: 1, firstBroken: null });
    expect(report.checkpointRoot).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fails after any one byte of the file is changed, naming the line', async () => {
    const text = await exported({ kind: 'consignment', consignmentId: SampleIds.consignmentId });
    // Every line, at a few offsets each: a digit or letter swapped for another of its kind.
    const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)].slice(0, -1);
    for (const [index, start] of starts.entries()) {
      for (const offset of [40, 120, 300]) {
        const at = start + offset;
        if (at >= text.length || !/[0-9a-z]/.test(text[at])) continue;
        const swapped = text[at] === '1' ? '2' : /[0-9]/.test(text[at]) ? '1' : text[at] === 'a' ? 'b' : 'a';
        const tampered = text.slice(0, at) + swapped + text.slice(at + 1);
        const report = await verifyExport(linesOf(tampered));
        expect({ line: index + 1, offset, ok: report.ok }).toEqual({ line: index + 1, offset, ok: false });
      }
    }
  });

  it('fails when a line is removed from a complete stream or the file is cut short', async () => {
    const text = await exported({ kind: 'stream', streamId: `consignment-${SampleIds.consignmentId}` });
    const lines = text.trimEnd().split('\n');
    const withoutOne = [...lines.slice(0, 3), ...lines.slice(4)].join('\n');
    expect((await verifyExport(linesOf(withoutOne))).firstBroken?.reason).toMatch(
      /events are missing|digest/,
    );
    const cut = lines.slice(0, -2).join('\n');
    expect((await verifyExport(linesOf(cut))).firstBroken?.reason).toBeDefined();
    expect((await verifyExport(linesOf(cut))).ok).toBe(false);
  });

  it('a time range holding earlier checkpoints verifies: they are in the file, anchored by the newest', async () => {
    // Two checkpoints written earlier, with events between them, then the export's own.
    await writeCheckpoint(store, randomUUID, now);
    await raiseFlag(store, { flagId: 'flag-2', fingerprint: 'f2' });
    await writeCheckpoint(store, randomUUID, now);
    await raiseFlag(store, { flagId: 'flag-3', fingerprint: 'f3' });
    for (const [index, scope] of (
      [
        { kind: 'range', from: '2000-01-01T00:00:00Z' },
        { kind: 'range', from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
        { kind: 'range' },
      ] as ExportScope[]
    ).entries()) {
      const text = await exported(scope);
      const types = text
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type);
      // the anchoring one (line 2), the two written before, and each earlier export's own
      expect(types.filter((t) => t === 'aidwatch.audit.checkpoint.v1')).toHaveLength(3 + index);
      const report = await verifyExport(linesOf(text));
      expect({ scope, ok: report.ok, firstBroken: report.firstBroken }).toEqual({
        scope,
        ok: true,
        firstBroken: null,
      });
    }
  });

  it('CSV carries the same chain columns, one row per event after the header', async () => {
    const text = await exported({ kind: 'range', from: '2000-01-01T00:00:00Z' }, 'csv');
    const rows = text.trimEnd().split('\r\n');
    expect(rows[0]).toBe('position,stream,revision,id,type,recordedAt,previous,hash,metadata,data');
    expect(rows).toHaveLength(1 + 1 + 9);
    expect(rows[2]).toMatch(
      /^\d+,exemption-1718-EX-2024-031,0,[0-9a-f-]{36},aidwatch\.exemption\.granted\.v1,/,
    );
  });
});
