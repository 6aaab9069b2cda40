import { Injectable } from '@nestjs/common';
import type { AlertLabels } from '@aidwatch/alerts';
import type { Caller } from './principal';

/**
 * Whose alerts, silences and subscriptions a caller may see: operators all; dashboards and monitors
 * those of their organisation (an alert belongs to the implementing organisations of its consignments);
 * anyone else none.
 */
@Injectable()
export class TenancyService {
  maySee(caller: Caller, labels: Pick<AlertLabels, 'organisation'>): boolean {
    if (caller.scope.kind === 'all') return true;
    return caller.scope.kind === 'tenant' && labels.organisation.includes(caller.scope.tenant);
  }

  /** Whether a tenant-owned record (silence, subscription) is the caller's. */
  owns(caller: Caller, tenant: string | undefined): boolean {
    if (caller.scope.kind === 'all') return true;
    return caller.scope.kind === 'tenant' && tenant === caller.scope.tenant;
  }
}
