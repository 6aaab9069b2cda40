import type { FlagsReadModel } from './flags-read-model';

/**
 * For each organisation, the flag records (indices in raise order, ascending) naming one of its
 * consignments: what `GET /flags` walks for a tenant-bound reader instead of every flag of the deployment,
 * so one organisation's reads cost its own flags, whatever another holds.
 *
 * A superset of what the reader may see (`seesFlag` still decides: a `duplicate-document` flag naming
 * consignments of two organisations is shown to one of them). Kept per organisation lazily: built by one
 * walk over the records when first asked, appended to as flags are raised, and dropped — built again when
 * next asked — when ownership moves consignments that flags already name (an operator's transfer, a grant or
 * registration folded after flags about the consignment). Those are rare, and they cost the organisations
 * concerned.
 */
export class TenantFlagIndex {
  private readonly byTenant = new Map<string, number[]>();

  /**
   * `flags`: the records (read through a function: a restore replaces them); `tenantOf`: a consignment's
   * organisation by the one ownership model, undefined while unknown.
   */
  constructor(
    private readonly flags: () => FlagsReadModel,
    private readonly tenantOf: (consignmentId: string) => string | undefined,
  ) {}

  /** The records naming a consignment of `tenant`, ascending; appended to while the reader walks it. */
  of(tenant: string): readonly number[] {
    let list = this.byTenant.get(tenant);
    if (!list) {
      list = [];
      const flags = this.flags();
      for (let i = 0; i < flags.size; i++) if (this.names(i, tenant)) list.push(i);
      this.byTenant.set(tenant, list);
    }
    return list;
  }

  /** Record `index` (the newest) was raised. */
  raised(index: number): void {
    if (this.byTenant.size === 0) return;
    const flag = this.flags().record(index)?.flag;
    for (const consignmentId of flag?.consignmentIds ?? []) {
      const tenant = this.tenantOf(consignmentId);
      const list = tenant === undefined ? undefined : this.byTenant.get(tenant);
      if (list && list[list.length - 1] !== index) list.push(index);
    }
  }

  /** Ownership moved to or from these organisations: their lists are worked out afresh when next asked. */
  moved(tenants: Iterable<string | undefined>): void {
    for (const tenant of tenants) if (tenant !== undefined) this.byTenant.delete(tenant);
  }

  clear(): void {
    this.byTenant.clear();
  }

  private names(index: number, tenant: string): boolean {
    const flag = this.flags().record(index)?.flag;
    return (flag?.consignmentIds ?? []).some((c) => this.tenantOf(c) === tenant);
  }
}
