import type { Role } from './roles';

/**
 * Who is calling, as established from a credential. `tenant` is the implementing organisation (as named
 * in `aidwatch.exemption.granted.v1`); `sources` the CloudEvents `source` values a producer may post
 * under; `monitorId` the field monitor a monitor credential speaks for.
 */
export interface Principal {
  /** `key:<id>` for an API key, `jwt:<iss>#<sub>` for a token of an identity provider. */
  subject: string;
  role: Role;
  tenant?: string;
  sources?: readonly string[];
  monitorId?: string;
}

/** Why a credential was refused (answered 401 with this text). */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}
