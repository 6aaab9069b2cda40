import type { Request } from 'express';

/** Who is calling: the id recorded as `by` in lifecycle events, their role and tenant (organisation). */
export interface Principal {
  id: string;
  role?: string;
  /** The implementing organisation the caller belongs to; absent for operators and admins (all tenants). */
  tenant?: string;
}

/** The authenticated principal of a request (set by the access guard), or an anonymous one. */
export function principalOf(req: Request): Principal {
  const p = (req as Request & { principal?: Principal }).principal;
  return p ?? { id: 'anonymous' };
}
