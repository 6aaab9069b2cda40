import type { Request } from 'express';
import { tenantScopeOf, type Principal, type TenantScope } from '@aidwatch/access';
import { principalOf as authenticatedPrincipal } from '@aidwatch/runtime';

/** The caller of an alert endpoint: the id recorded as `by`, the role, and whose alerts it may see. */
export interface Caller {
  /** The principal's subject (`key:<id>` or `jwt:<iss>#<sub>`). */
  id: string;
  role: string;
  scope: TenantScope;
  /** The tenant (implementing organisation) a dashboard or monitor belongs to; absent for operators. */
  tenant?: string;
  /** The authenticated credential as the access guard named it (its sources, a producer's tenant). */
  principal: Principal;
}

/** The caller of a request the access guard authenticated: the one way controllers learn who is calling. */
export function callerOf(req: Request): Caller {
  const principal = authenticatedPrincipal(req);
  const scope = tenantScopeOf(principal);
  return {
    id: principal.subject,
    role: principal.role,
    scope,
    tenant: scope.kind === 'tenant' ? scope.tenant : undefined,
    principal,
  };
}

/** Whose turn a caller's long read waits for (`FairTurns`): its organisation's, an operator's own. */
export const holderOf = (caller: Pick<Caller, 'id' | 'tenant'>): string =>
  caller.tenant === undefined ? `credential:${caller.id}` : `tenant:${caller.tenant}`;
