import { Injectable } from '@nestjs/common';
import type { AlertLabels } from '@aidwatch/alerts';
import type { Principal } from './principal';

/**
 * Which alerts a caller may see: principals without a tenant (operators, admins, and the anonymous
 * principal of a deployment without access control) see all; others only alerts of their organisation.
 */
@Injectable()
export class TenancyService {
  maySee(principal: Principal, labels: Pick<AlertLabels, 'organisation'>): boolean {
    return principal.tenant === undefined || labels.organisation.includes(principal.tenant);
  }
}
