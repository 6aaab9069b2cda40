import { EventTypes, type CloudEvent } from '@aidwatch/domain';
import type { ApiKeyGrant } from '@aidwatch/access';
import { DEFAULT_PORTS_SOURCE, SIMULATOR_SOURCE } from '@aidwatch/maritime';

export const DEMO_KEY_LABEL = 'demo';

/**
 * One grant per role and tenant for the demo: for each implementing organisation of the scenario a
 * producer (bound to the sources that write its consignments' events), a monitor (its organisation's
 * monitor, bound to the sources its visits are reported under) and a dashboard; then an operator and an admin, who see every tenant (printed `tenant=*`), and
 * a producer for the shared feeds (reference lists, AIS) under `tenant=*`, which may also write what
 * `npm run simulate -- --to http://…` sends (the simulator's AIS and the default port list).
 */
export function demoGrants(events: readonly CloudEvent[]): Array<ApiKeyGrant & { tenantLabel: string }> {
  const orgOfExemption = new Map<string, string>();
  const exemptionOfConsignment = new Map<string, string>();
  for (const e of events) {
    const data = e.data as Record<string, string>;
    if (e.type === EventTypes.ExemptionGranted) orgOfExemption.set(data.exemptionId, data.implementingOrg);
    if (e.type === EventTypes.ConsignmentRegistered)
      exemptionOfConsignment.set(data.consignmentId, data.exemptionId);
  }
  const sources = new Map<string, Set<string>>();
  const monitors = new Map<string, string>();
  const monitorSources = new Map<string, Set<string>>();
  const shared = new Set<string>([SIMULATOR_SOURCE, DEFAULT_PORTS_SOURCE]);
  for (const e of events) {
    const data = e.data as Record<string, string>;
    const exemption = exemptionOfConsignment.get(data.consignmentId);
    const tenant = exemption === undefined ? undefined : orgOfExemption.get(exemption);
    if (tenant === undefined) {
      shared.add(e.source);
      continue;
    }
    if (e.type === EventTypes.VerificationReported || e.type === EventTypes.AccessDenied) {
      if (!monitors.has(tenant)) monitors.set(tenant, data.monitorId);
      monitorSources.set(tenant, (monitorSources.get(tenant) ?? new Set()).add(e.source));
      continue;
    }
    sources.set(tenant, (sources.get(tenant) ?? new Set()).add(e.source));
  }
  const tenants = [...new Set(orgOfExemption.values())].sort();
  const label = DEMO_KEY_LABEL;
  return [
    ...tenants.flatMap((tenant) => [
      {
        role: 'producer' as const,
        tenant,
        sources: [...(sources.get(tenant) ?? [])].sort(),
        label,
        tenantLabel: tenant,
      },
      {
        role: 'monitor' as const,
        tenant,
        // Every monitor key names its monitor; an organisation without visits in the demo gets one of its own.
        monitorId: monitors.get(tenant) ?? `MON-${tenant.replace(/[^A-Za-z0-9]+/g, '-').toUpperCase()}`,
        // The sources its organisation's monitors report under (else its organisation's namespace).
        ...(monitorSources.has(tenant) ? { sources: [...monitorSources.get(tenant)!].sort() } : {}),
        label,
        tenantLabel: tenant,
      },
      { role: 'dashboard' as const, tenant, label, tenantLabel: tenant },
    ]),
    { role: 'producer' as const, sources: [...shared].sort(), label, tenantLabel: '*' },
    { role: 'operator' as const, label, tenantLabel: '*' },
    { role: 'admin' as const, label, tenantLabel: '*' },
  ];
}
