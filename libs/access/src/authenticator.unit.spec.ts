import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InMemoryApiKeyStore, SqliteApiKeyStore } from './api-key-store';
import { Authenticator } from './authenticator';
import { grantProblems } from './grant-rules';
import { JwtVerifier } from './jwt-verifier';
import { AuthenticationError } from './principal';

describe('Authenticator', () => {
  it('accepts an issued API key and answers its grant; refuses a wrong secret, an unknown id and a revoked key', async () => {
    const keys = new InMemoryApiKeyStore();
    const auth = new Authenticator(keys);
    const { record, key } = keys.createSync({ role: 'producer', tenant: 'WFP', sources: ['/wfp/logistics'] });
    await expect(auth.authenticate(`Bearer ${key}`)).resolves.toEqual({
      subject: `key:${record.id}`,
      role: 'producer',
      tenant: 'WFP',
      sources: ['/wfp/logistics'],
    });
    const tampered = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    await expect(auth.authenticate(`Bearer ${tampered}`)).rejects.toThrow('unknown credential');
    await expect(auth.authenticate(`Bearer awk_${'0'.repeat(16)}_${'0'.repeat(64)}`)).rejects.toThrow(
      'unknown credential',
    );
    await keys.revoke(record.id);
    await expect(auth.authenticate(`Bearer ${key}`)).rejects.toThrow('credential revoked');
  });

  it('refuses keys issued before the identity rules: a monitor without monitorId, a dashboard without tenant', async () => {
    const keys = new InMemoryApiKeyStore();
    const auth = new Authenticator(keys);
    const monitor = keys.createSync({ role: 'monitor', tenant: 'WFP' }).key;
    const dashboard = keys.createSync({ role: 'dashboard' }).key;
    await expect(auth.authenticate(`Bearer ${monitor}`)).rejects.toThrow('needs a monitorId');
    await expect(auth.authenticate(`Bearer ${dashboard}`)).rejects.toThrow('needs a tenant');
    expect(grantProblems({ role: 'monitor', tenant: 'WFP' })).toEqual([
      expect.objectContaining({ field: 'monitorId' }),
    ]);
    // The wildcard names no organisation: a dashboard of '*' would see nothing and mean nothing.
    expect(grantProblems({ role: 'dashboard', tenant: '*' })).toEqual([
      expect.objectContaining({ field: 'tenant', message: expect.stringContaining('names no organisation') }),
    ]);
  });

  it('refuses a missing or malformed Authorization header', async () => {
    const auth = new Authenticator(new InMemoryApiKeyStore());
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b']) {
      await expect(auth.authenticate(header)).rejects.toBeInstanceOf(AuthenticationError);
    }
  });

  it('never stores the secret: the key file holds only a salted hash', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-keys-'));
    const file = path.join(dir, 'access.sqlite');
    const keys = new SqliteApiKeyStore(file);
    const { key } = keys.createSync({ role: 'admin' });
    keys.close();
    const secret = key.split('_')[2];
    expect(fs.readFileSync(file).includes(secret)).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const reopened = new SqliteApiKeyStore(file);
    expect(await reopened.list()).toHaveLength(1);
    reopened.close();
  });

  describe('JWTs of an identity provider', () => {
    let jwksFile: string;
    let privateKey: KeyLike;
    beforeAll(async () => {
      const pair = await generateKeyPair('ES256');
      privateKey = pair.privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      jwksFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-jwks-')), 'jwks.json');
      fs.writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    });
    const sign = (
      claims: Record<string, unknown>,
      options: { iss?: string; aud?: string; exp?: string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(options.iss ?? 'https://idp.wfp.example')
        .setAudience(options.aud ?? 'aidwatch')
        .setSubject('alice')
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '5m')
        .sign(privateKey);

    it('maps the aidwatch_* claims of a valid token to a principal', async () => {
      const auth = new Authenticator(
        new InMemoryApiKeyStore(),
        new JwtVerifier({ jwksFile, issuer: 'https://idp.wfp.example', audience: 'aidwatch' }),
      );
      const token = await sign({ aidwatch_role: 'dashboard', aidwatch_tenant: 'WFP' });
      await expect(auth.authenticate(`Bearer ${token}`)).resolves.toEqual({
        subject: 'jwt:https://idp.wfp.example#alice',
        role: 'dashboard',
        tenant: 'WFP',
      });
    });

    it('refuses another issuer, another audience, an expired token, an unknown role and an unsigned token', async () => {
      const auth = new Authenticator(
        new InMemoryApiKeyStore(),
        new JwtVerifier({
          jwksFile,
          issuer: 'https://idp.wfp.example',
          audience: 'aidwatch',
          clockToleranceSec: 0,
        }),
      );
      const bad = [
        await sign({ aidwatch_role: 'dashboard' }, { iss: 'https://evil.example' }),
        await sign({ aidwatch_role: 'dashboard' }, { aud: 'other' }),
        await sign({ aidwatch_role: 'dashboard' }, { exp: '-1m' }),
        await sign({ aidwatch_role: 'root' }),
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"aidwatch_role":"admin"}').toString('base64url')}.`,
      ];
      for (const token of bad) {
        await expect(auth.authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(AuthenticationError);
      }
    });

    it('refuses a token without sub, with a blank sub, or valid for longer than the maximum lifetime', async () => {
      const auth = new Authenticator(
        new InMemoryApiKeyStore(),
        new JwtVerifier({
          jwksFile,
          issuer: 'https://idp.wfp.example',
          audience: 'aidwatch',
          maxLifetimeSec: 3600,
        }),
      );
      const claims = { aidwatch_role: 'dashboard', aidwatch_tenant: 'WFP' };
      const unsigned = (subject?: string) => {
        const jwt = new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer('https://idp.wfp.example')
          .setAudience('aidwatch')
          .setExpirationTime('5m');
        return (subject === undefined ? jwt : jwt.setSubject(subject)).sign(privateKey);
      };
      await expect(auth.authenticate(`Bearer ${await unsigned()}`)).rejects.toThrow(/invalid token/);
      await expect(auth.authenticate(`Bearer ${await unsigned(' ')}`)).rejects.toThrow(/sub must be/);
      await expect(auth.authenticate(`Bearer ${await sign(claims, { exp: '100y' })}`)).rejects.toThrow(
        /stays valid for more than 3600 s/,
      );
      await expect(auth.authenticate(`Bearer ${await sign(claims, { exp: '59m' })}`)).resolves.toMatchObject({
        role: 'dashboard',
      });
    });

    it('refuses a token without exp, an admin or operator token, and tenant-bound roles without tenant or monitorId', async () => {
      const verifier = (allowAdmin?: boolean) =>
        new Authenticator(
          new InMemoryApiKeyStore(),
          new JwtVerifier({ jwksFile, issuer: 'https://idp.wfp.example', audience: 'aidwatch', allowAdmin }),
        );
      const auth = verifier();
      const noExp = await new SignJWT({ aidwatch_role: 'dashboard', aidwatch_tenant: 'WFP' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('https://idp.wfp.example')
        .setAudience('aidwatch')
        .setSubject('alice')
        .sign(privateKey);
      const refused: Array<[string, string]> = [
        [noExp, 'invalid token'],
        [await sign({ aidwatch_role: 'admin' }), 'admin is granted by API keys only'],
        [await sign({ aidwatch_role: 'operator' }), 'operator is granted by API keys only'],
        [await sign({ aidwatch_role: 'dashboard' }), 'needs the aidwatch_tenant claim'],
        [
          await sign({ aidwatch_role: 'monitor', aidwatch_tenant: 'WFP' }),
          'needs the aidwatch_monitor_id claim',
        ],
      ];
      for (const [token, reason] of refused)
        await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(reason);
      await expect(
        verifier(true).authenticate(`Bearer ${await sign({ aidwatch_role: 'admin' })}`),
      ).resolves.toMatchObject({ role: 'admin' });
      const operators = new Authenticator(
        new InMemoryApiKeyStore(),
        new JwtVerifier({
          jwksFile,
          issuer: 'https://idp.wfp.example',
          audience: 'aidwatch',
          allowOperator: true,
        }),
      );
      await expect(
        operators.authenticate(`Bearer ${await sign({ aidwatch_role: 'operator' })}`),
      ).resolves.toMatchObject({ role: 'operator' });
    });

    it('refuses a tenant claim that is not one non-empty string for every role, and tenantless producer tokens unless allowed', async () => {
      const verifier = (allowTenantlessProducers?: boolean) =>
        new Authenticator(
          new InMemoryApiKeyStore(),
          new JwtVerifier({
            jwksFile,
            issuer: 'https://idp.wfp.example',
            audience: 'aidwatch',
            allowTenantlessProducers,
          }),
        );
      const auth = verifier();
      for (const role of ['producer', 'dashboard', 'monitor', 'operator'])
        for (const tenant of [['WFP', 'FAO'], [], '', '  ', 17, { name: 'WFP' }, null]) {
          const token = await sign({
            aidwatch_role: role,
            aidwatch_tenant: tenant,
            aidwatch_monitor_id: 'M-1',
          });
          await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(
            'the aidwatch_tenant claim must be one non-empty string',
          );
          await expect(verifier(true).authenticate(`Bearer ${token}`)).rejects.toThrow(AuthenticationError);
        }
      // A tenant that reads like another one, or like none, is refused as a key's would be.
      for (const [tenant, reason] of [
        [' WFP', 'must not start or end with white space'],
        ['WFP\u200b', 'invisible'],
        ['*', 'names no organisation'],
      ]) {
        const token = await sign({ aidwatch_role: 'dashboard', aidwatch_tenant: tenant });
        await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(reason);
      }
      const tenantless = await sign({ aidwatch_role: 'producer', aidwatch_sources: ['/feeds/ais'] });
      await expect(auth.authenticate(`Bearer ${tenantless}`)).rejects.toThrow(
        'a producer token needs the aidwatch_tenant claim',
      );
      await expect(verifier(true).authenticate(`Bearer ${tenantless}`)).resolves.toEqual({
        subject: 'jwt:https://idp.wfp.example#alice',
        role: 'producer',
        sources: ['/feeds/ais'],
      });
      await expect(
        auth.authenticate(`Bearer ${await sign({ aidwatch_role: 'producer', aidwatch_tenant: 'WFP' })}`),
      ).resolves.toMatchObject({ role: 'producer', tenant: 'WFP' });
    });
  });
});
