import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatDate, listOf, shortHash } from './diversion-format';
import { citedUses, type DocumentUse } from './document-uses';

function describe(use: DocumentUse, self: string): string {
  const owner = use.consignmentId === self ? 'this consignment' : `consignment ${use.consignmentId}`;
  switch (use.kind) {
    case 'bill-of-lading':
      return `the registration of ${owner}`;
    case 'delivery':
      return `delivery ${use.ref} of ${owner} (${formatDate(use.time)})`;
    case 'custody':
      return `a custody handover of ${owner} (${formatDate(use.time)})`;
  }
}

/**
 * A bill of lading or a document (by its hash) cited by more than one registration, delivery or custody
 * handover, in this consignment or any other. Every consignment involved carries the flag; it cites every use
 * up to `MAX_CITED_USES`, beyond that the consignment's own and the nearest others (`citedUses`).
 */
export function duplicateDocument(ctx: DiversionContext): FlagDraft[] {
  const drafts: FlagDraft[] = [];
  for (const key of ctx.documentKeys()) {
    const all = ctx.documentUses(key);
    if (all.length < 2 || new Set(all.map((u) => u.use)).size < 2) continue;
    // Beyond MAX_CITED_USES, this consignment's own uses and the nearest others only: a bounded flag.
    const uses = citedUses(all, ctx.consignmentId);
    const more = uses.length < all.length;
    const mine = uses.filter((u) => u.consignmentId === ctx.consignmentId);
    const others = uses.filter((u) => !mine.includes(u));
    const billOfLading = uses[0].kind === 'bill-of-lading';
    const document = billOfLading
      ? `Bill of lading ${uses[0].document}`
      : `Document ${shortHash(uses[0].document)}`;
    const consignments = [...new Set(uses.map((u) => u.consignmentId))].sort();
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'duplicate-document',
        key,
        severity: ctx.config.duplicateDocumentSeverity,
        observed: {
          document: uses[0].document,
          kind: billOfLading ? 'bill-of-lading' : 'document-hash',
          uses: uses.map((u) => ({
            kind: u.kind,
            consignmentId: u.consignmentId,
            ref: u.ref || null,
            eventId: u.eventId,
          })),
          ...(more && { moreUses: true }),
        },
        threshold: { maxUses: 1 },
        evidence: uses,
        consignmentIds: consignments,
        explanation:
          `${document} is cited by ${listOf(mine.map((u) => describe(u, ctx.consignmentId)))}` +
          (others.length > 0
            ? ` and also by ${listOf(others.map((u) => describe(u, ctx.consignmentId)))}` +
              (more ? ` (the nearest; more cite it too)` : '')
            : '') +
          `; a document should back one movement only.`,
      }),
    );
  }
  return drafts;
}
