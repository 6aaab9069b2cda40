import { identifierProblem } from '@aidwatch/domain';
import type { ApiKeyGrant } from './api-key-store';
import { TenantBoundRoles } from './roles';

/** Longest tenant, source or monitorId a grant may name, characters. */
const GRANT_IDENTIFIER_LENGTH = 256;

/**
 * What is wrong with a tenant a key or a token names, or undefined: it must be a clean identifier (no
 * surrounding white space, no invisible character) and not the wildcard `*`, which names no organisation.
 */
export function tenantProblem(tenant: string): string | undefined {
  if (tenant === '*') return "'*' names no organisation; name one";
  return identifierProblem(tenant, GRANT_IDENTIFIER_LENGTH);
}

/**
 * What a grant must say for its role (`POST /admin/keys` and `aidwatch keys create` apply the same
 * rules): a tenant for monitors and dashboards, at least one source for producers, no tenant for the
 * roles that see every tenant, a monitorId on every monitor and only on a monitor; every value a clean
 * identifier.
 */
export function grantProblems(grant: ApiKeyGrant): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  if (TenantBoundRoles.includes(grant.role) && grant.tenant === undefined)
    problems.push({
      field: 'tenant',
      message: `a ${grant.role} key needs the tenant (implementing organisation)`,
    });
  if (grant.role === 'producer' && (grant.sources === undefined || grant.sources.length === 0))
    problems.push({
      field: 'sources',
      message: 'a producer key needs the CloudEvents sources it may write under',
    });
  if ((grant.role === 'operator' || grant.role === 'admin') && grant.tenant !== undefined)
    problems.push({ field: 'tenant', message: `a ${grant.role} key sees every tenant; leave tenant out` });
  if (grant.role === 'monitor' && grant.monitorId === undefined)
    problems.push({
      field: 'monitorId',
      message: 'a monitor key needs the monitorId it reports as (otherwise it could report as any monitor)',
    });
  if (grant.monitorId !== undefined && grant.role !== 'monitor')
    problems.push({ field: 'monitorId', message: 'only a monitor key names a monitorId' });
  const tenant = grant.tenant === undefined ? undefined : tenantProblem(grant.tenant);
  if (tenant) problems.push({ field: 'tenant', message: `tenant ${tenant}` });
  const values: Array<[string, string | undefined]> = [
    ['monitorId', grant.monitorId],
    ...(grant.sources ?? []).map((s, i): [string, string] => [`sources[${i}]`, s]),
  ];
  for (const [field, value] of values) {
    const problem = value === undefined ? undefined : identifierProblem(value, GRANT_IDENTIFIER_LENGTH);
    if (problem) problems.push({ field, message: `${field} ${problem}` });
  }
  return problems;
}
