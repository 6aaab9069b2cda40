import { EventTypes, type AidEvent } from '@aidwatch/domain';

interface TenantDirectorySnapshot {
  exemptions: Array<[string, string]>;
  consignments: Array<[string, string]>;
}

/**
 * The tenant of each consignment, folded from the facts: `exemption.granted` names the implementing
 * organisation, `consignment.registered` names the exemption. Both are set once, so an entry never
 * changes; a consignment registered before its exemption resolves as soon as the exemption arrives.
 */
export class TenantDirectory {
  private orgOfExemption = new Map<string, string>();
  private exemptionOfConsignment = new Map<string, string>();

  apply(event: AidEvent): void {
    if (event.type === EventTypes.ExemptionGranted)
      this.orgOfExemption.set(event.data.exemptionId, event.data.implementingOrg);
    else if (event.type === EventTypes.ConsignmentRegistered)
      this.exemptionOfConsignment.set(event.data.consignmentId, event.data.exemptionId);
  }

  tenantOfConsignment(consignmentId: string): string | undefined {
    const exemptionId = this.exemptionOfConsignment.get(consignmentId);
    return exemptionId === undefined ? undefined : this.orgOfExemption.get(exemptionId);
  }

  tenantOfExemption(exemptionId: string): string | undefined {
    return this.orgOfExemption.get(exemptionId);
  }

  /** Every implementing organisation seen so far, sorted. */
  tenants(): string[] {
    return [...new Set(this.orgOfExemption.values())].sort();
  }

  snapshot(): TenantDirectorySnapshot {
    return { exemptions: [...this.orgOfExemption], consignments: [...this.exemptionOfConsignment] };
  }

  restore(snapshot: unknown): void {
    const saved = snapshot as Partial<TenantDirectorySnapshot> | undefined;
    this.orgOfExemption = new Map(saved?.exemptions ?? []);
    this.exemptionOfConsignment = new Map(saved?.consignments ?? []);
  }

  reset(): void {
    this.restore(undefined);
  }
}
