import { EventTypes, StreamNames, type ConsignmentRegistered, type ExemptionGranted } from '@aidwatch/domain';
import type { EventStore } from '@aidwatch/event-store';

/**
 * The tenant of a consignment read straight from the store (the first event of the consignment stream
 * names the exemption, the exemption stream names the organisation), so a write right after a
 * registration is judged without waiting for a projection. Found answers are cached: they never change.
 */
export class StoreTenantLookup {
  private readonly cache = new Map<string, string>();

  constructor(private readonly store: EventStore) {}

  async tenantOfConsignment(consignmentId: string): Promise<string | undefined> {
    const cached = this.cache.get(consignmentId);
    if (cached !== undefined) return cached;
    const registered = (await this.firstEvents(StreamNames.consignment(consignmentId))).find(
      (e) => e.type === EventTypes.ConsignmentRegistered,
    ) as ConsignmentRegistered | undefined;
    if (!registered) return undefined;
    const tenant = await this.tenantOfExemption(registered.data.exemptionId);
    if (tenant !== undefined) this.cache.set(consignmentId, tenant);
    return tenant;
  }

  async tenantOfExemption(exemptionId: string): Promise<string | undefined> {
    const granted = (await this.firstEvents(StreamNames.exemption(exemptionId))).find(
      (e) => e.type === EventTypes.ExemptionGranted,
    ) as ExemptionGranted | undefined;
    return granted?.data.implementingOrg;
  }

  private async firstEvents(streamId: string) {
    const events = await this.store.readStream(streamId, { direction: 'forwards', maxCount: 20 });
    return events.map((e) => e.data as { type: string; data: never });
  }
}
