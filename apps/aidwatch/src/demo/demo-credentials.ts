import { EventTypes, type CloudEvent } from '@aidwatch/domain';
import type { ApiKeyGrant } from '@aidwatch/access';
import { DEFAULT_PORTS_SOURCE, SIMULATOR_SOURCE } from '@aidwatch/maritime';

/** The label every demo key used to share; such keys are still revoked when the demo loads. */
export const DEMO_KEY_LABEL = 'demo';

/** What each demo key's label ends with: "WFP dashboard (demo)", "operator (demo)". */
export const DEMO_KEY_SUFFIX = ' (demo)';

/** Whether a key was issued by the demo (its label, old or new form). */
export const isDemoKeyLabel = (label: string | undefined): boolean =>
  label === DEMO_KEY_LABEL || (label?.endsWith(DEMO_KEY_SUFFIX) ?? false);

/**
 * An organisation's short name for a label: the initials of a name of several capitalised words
 * ("World Food Programme" → "WFP"), else the name as it is ("UNICEF").
 */
export function shortOrganisationName(name: string): string {
  const words = name.split(/\s+/).filter((w) => /^[A-Z]/.test(w));
  return words.length > 1 ? words.map((w) => w[0]).join('') : name;
}

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
  const label = (what: string) => `${what}${DEMO_KEY_SUFFIX}`;
  return [
    ...tenants.flatMap((tenant) => [
      {
        role: 'producer' as const,
        tenant,
        sources: [...(sources.get(tenant) ?? [])].sort(),
        label: label(`${shortOrganisationName(tenant)} producer`),
        tenantLabel: tenant,
      },
      {
        role: 'monitor' as const,
        tenant,
        // Every monitor key names its monitor; an organisation without visits in the demo gets one of its own.
        monitorId: monitors.get(tenant) ?? `MON-${tenant.replace(/[^A-Za-z0-9]+/g, '-').toUpperCase()}`,
        // The sources its organisation's monitors report under (else its organisation's namespace).
        ...(monitorSources.has(tenant) ? { sources: [...monitorSources.get(tenant)!].sort() } : {}),
        label: label(`${shortOrganisationName(tenant)} monitor`),
        tenantLabel: tenant,
      },
      {
        role: 'dashboard' as const,
        tenant,
        label: label(`${shortOrganisationName(tenant)} dashboard`),
        tenantLabel: tenant,
      },
    ]),
    {
      role: 'producer' as const,
      sources: [...shared].sort(),
      label: label('shared feeds producer'),
      tenantLabel: '*',
    },
    { role: 'operator' as const, label: label('operator'), tenantLabel: '*' },
    { role: 'admin' as const, label: label('admin'), tenantLabel: '*' },
  ];
}
