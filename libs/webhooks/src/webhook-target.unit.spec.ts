import { isPrivateAddress, webhookTargetProblem } from './webhook-target';

describe('webhook targets: no server-side request forgery', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );

  it('refuses literal private hosts, loopback names and names resolving to private addresses', async () => {
    const resolve = async (host: string) => (host === 'intranet.example' ? ['10.0.0.5'] : ['93.184.215.14']);
    for (const url of [
      'http://127.0.0.1:3000/health',
      'http://[::1]/x',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:8080/',
      'https://intranet.example/hook',
    ])
      expect(await webhookTargetProblem(url, false, resolve)).toMatch(/private|loopback/);
    expect(await webhookTargetProblem('https://hooks.example.org/aid', false, resolve)).toBeUndefined();
  });

  it('a name that does not resolve now is left to the delivery attempt; private targets may be allowed', async () => {
    const unresolvable = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await webhookTargetProblem('https://later.example/x', false, unresolvable)).toBeUndefined();
    expect(await webhookTargetProblem('http://127.0.0.1/x', true)).toBeUndefined();
  });
});
