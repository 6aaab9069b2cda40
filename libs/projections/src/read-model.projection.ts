import { TenantDirectory } from '@aidwatch/access';
import { DetectionEngine, type DetectionConfig } from '@aidwatch/detection';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import type { StoredEvent } from '@aidwatch/event-store';
import { FlagsReadModel } from './flags-read-model';
import type { Projection } from './projection';

interface ReadModelSnapshot {
  flags: unknown;
  consignments: unknown;
  tenants: unknown;
}

/**
 * What the API serves: flags (from the flag events the detector wrote) and consignment state (folded
 * from the consignment and exemption streams), and the tenant of each consignment for access checks.
 * Vessel positions are not read here.
 */
export class ReadModelProjection implements Projection {
  readonly name = 'read-model-v2';
  readonly filter = { streamPrefixes: ['consignment-', 'exemption-', 'risk-'] };
  readonly flags = new FlagsReadModel();
  readonly tenants = new TenantDirectory();
  private consignments: DetectionEngine;

  constructor(private readonly config: DetectionConfig) {
    this.consignments = new DetectionEngine(config);
  }

  apply(stored: StoredEvent): void {
    if (stored.type === EventTypes.FlagRaised || stored.type === EventTypes.FlagCleared)
      this.flags.apply(stored);
    else {
      this.tenants.apply(stored.data as AidEvent);
      this.consignments.handle(stored.data as AidEvent);
    }
  }

  consignment(id: string): Record<string, unknown> | undefined {
    const view = this.consignments.diversion.consignmentView(id);
    if (!view) return undefined;
    // Risk and flags come from the flag events, which include the vessel flags linked to this
    // consignment; the fold's own view of its consignment flags is left out so there is one answer.
    const { riskLevel: _riskLevel, openFlags: _openFlags, ...state } = view;
    return { ...state, risk: this.flags.riskOf(id), flags: this.flags.openFlagsOf(id) };
  }

  consignmentIds(): string[] {
    return this.consignments.diversion.consignmentIds();
  }

  snapshot(): ReadModelSnapshot {
    return {
      flags: this.flags.snapshot(),
      consignments: this.consignments.snapshot(),
      tenants: this.tenants.snapshot(),
    };
  }

  restore(snapshot: unknown): void {
    const saved = snapshot as ReadModelSnapshot;
    this.flags.restore(saved.flags);
    this.tenants.restore(saved.tenants);
    this.consignments = DetectionEngine.restore(saved.consignments, this.config, []);
  }

  reset(): void {
    this.flags.reset();
    this.tenants.reset();
    this.consignments = new DetectionEngine(this.config);
  }
}
