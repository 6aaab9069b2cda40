import * as fs from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { tenantProblem } from './grant-rules';
import { AuthenticationError, type Principal } from './principal';
import { isRole, TenantBoundRoles } from './roles';

/**
 * Bearer JWTs from an organisation's identity provider (OpenID Connect access tokens), verified with
 * `jose` against the provider's JWKS. Only asymmetric algorithms are accepted, so a token signed with a
 * shared secret or `none` is refused (RFC 8725 §3.1). The role and tenant come from these claims:
 * `aidwatch_role` (one of the roles), `aidwatch_tenant` (implementing organisation),
 * `aidwatch_sources` (array of CloudEvents sources, producers) and `aidwatch_monitor_id` (monitors).
 */
export interface JwtSettings {
  /** `https://…/.well-known/jwks.json` of the identity provider, fetched and cached by jose. */
  jwksUrl?: string;
  /** A JWKS document on disk (for providers without a reachable URL, and for tests). */
  jwksFile?: string;
  issuer: string;
  audience: string;
  /** Allowed clock skew, seconds. */
  clockToleranceSec?: number;
  /**
   * Whether `aidwatch_role: admin` is honoured (default false: admin comes only from the key store, so a
   * token of the identity provider cannot mint API keys that outlive it).
   */
  allowAdmin?: boolean;
  /**
   * Whether a token's `aidwatch_role: operator` is honoured (`AUTH_JWT_ALLOW_OPERATOR`, default false): an
   * operator reads every organisation's data, a right an organisation's identity provider must not grant.
   */
  allowOperator?: boolean;
  /**
   * Whether a producer token without `aidwatch_tenant` is accepted, as a producer of no organisation (the
   * deployment's feeds and relays, which write feed and committee events). Default false: such a token is
   * refused, so an identity provider that leaves the claim out never grants those rights by omission.
   */
  allowTenantlessProducers?: boolean;
  /**
   * The longest a token may still be valid when presented (`exp` − now, seconds; default 86,400): a token
   * that stays valid for years cannot be taken back, like one without `exp`.
   */
  maxLifetimeSec?: number;
}

export const JwtClaims = {
  role: 'aidwatch_role',
  tenant: 'aidwatch_tenant',
  sources: 'aidwatch_sources',
  monitorId: 'aidwatch_monitor_id',
} as const;

const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    if (settings.jwksFile) {
      this.keys = createLocalJWKSet(JSON.parse(fs.readFileSync(settings.jwksFile, 'utf8')));
    } else if (settings.jwksUrl) {
      this.keys = createRemoteJWKSet(new URL(settings.jwksUrl));
    } else {
      throw new Error('JwtVerifier needs jwksUrl or jwksFile');
    }
  }

  /** Resolves the principal of a valid token; rejects with AuthenticationError otherwise. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        clockTolerance: this.settings.clockToleranceSec ?? 30,
        // A token that never expires is a credential that cannot be taken back (RFC 8725 §3.10 spirit);
        // one without a subject would speak for every subject-less token of its issuer at once.
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new AuthenticationError(`invalid token: ${error.code}`);
      throw new AuthenticationError('invalid token');
    }
    const maxLifetimeSec = this.settings.maxLifetimeSec ?? 86_400;
    if ((payload.exp as number) - Date.now() / 1000 > maxLifetimeSec)
      throw new AuthenticationError(
        `invalid token: it stays valid for more than ${maxLifetimeSec} s (AUTH_JWT_MAX_LIFETIME_SECONDS)`,
      );
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '')
      throw new AuthenticationError('invalid token: sub must be one non-empty string');
    return principalFromClaims(payload, {
      allowAdmin: this.settings.allowAdmin ?? false,
      allowOperator: this.settings.allowOperator ?? false,
      allowTenantlessProducers: this.settings.allowTenantlessProducers ?? false,
    });
  }
}

/**
 * The principal a verified token speaks for. Refused (AuthenticationError, 401): no valid role; `admin`
 * unless `allowAdmin`; `operator` unless `allowOperator`; an `aidwatch_tenant` claim that is present but not one non-empty string (an array,
 * an empty or blank string, a number), for every role; a tenant-bound role (monitor, dashboard) without
 * `aidwatch_tenant`; a producer without it unless `allowTenantlessProducers` (a producer of no organisation
 * writes feed and committee events, a right no token gets by leaving a claim out); a monitor without
 * `aidwatch_monitor_id` (it would report as any monitor of its organisation).
 */
export function principalFromClaims(
  payload: JWTPayload,
  { allowAdmin = false, allowOperator = false, allowTenantlessProducers = false } = {},
): Principal {
  const role = payload[JwtClaims.role];
  if (!isRole(role)) throw new AuthenticationError(`token has no valid ${JwtClaims.role} claim`);
  if (role === 'admin' && !allowAdmin)
    throw new AuthenticationError('admin is granted by API keys only, not by identity-provider tokens');
  const tenant = payload[JwtClaims.tenant];
  const sources = payload[JwtClaims.sources];
  const monitorId = payload[JwtClaims.monitorId];
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant.trim() === ''))
    throw new AuthenticationError(`the ${JwtClaims.tenant} claim must be one non-empty string`);
  // The same rules as a key's tenant.
  const problem = tenant === undefined ? undefined : tenantProblem(tenant);
  if (problem) throw new AuthenticationError(`the ${JwtClaims.tenant} claim ${problem}`);
  if (role === 'operator' && !allowOperator)
    throw new AuthenticationError(
      'operator is granted by API keys only, not by identity-provider tokens (AUTH_JWT_ALLOW_OPERATOR)',
    );
  if (TenantBoundRoles.includes(role) && tenant === undefined)
    throw new AuthenticationError(`a ${role} token needs the ${JwtClaims.tenant} claim`);
  if (role === 'producer' && tenant === undefined && !allowTenantlessProducers)
    throw new AuthenticationError(
      `a producer token needs the ${JwtClaims.tenant} claim (tenantless producer tokens are not allowed here)`,
    );
  if (role === 'monitor' && (typeof monitorId !== 'string' || monitorId === ''))
    throw new AuthenticationError(`a monitor token needs the ${JwtClaims.monitorId} claim`);
  return {
    subject: `jwt:${payload.iss ?? ''}#${payload.sub ?? ''}`,
    role,
    ...(typeof tenant === 'string' && tenant ? { tenant } : {}),
    ...(Array.isArray(sources) ? { sources: sources.filter((s): s is string => typeof s === 'string') } : {}),
    ...(typeof monitorId === 'string' && monitorId ? { monitorId } : {}),
  };
}
