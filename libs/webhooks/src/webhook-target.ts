import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not be sent to unless private targets are allowed (`WEBHOOK_PRIVATE_TARGETS`):
 * loopback, RFC 1918 private networks, carrier-grade NAT (RFC 6598), link-local (including the cloud
 * metadata address 169.254.169.254), "this network", IPv6 unique-local and link-local, and IPv4 mapped
 * into IPv6. Sending to them would let a subscriber make AidWatch call services behind its firewall
 * (server-side request forgery, OWASP A10:2021).
 */
const privateNetworks = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  privateNetworks.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  privateNetworks.addSubnet(net, prefix, 'ipv6');

/** Whether `address` (an IPv4 or IPv6 literal) lies in a private, loopback or link-local network. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateNetworks.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return privateNetworks.check(mapped[1], 'ipv4');
  return privateNetworks.check(address, 'ipv6');
}

/**
 * Why a webhook may not be sent to `url` (a sentence), or undefined when it may. The host is judged by
 * its literal address or, for a name, by every address it resolves to now; a name that does not
 * resolve is left to the delivery attempt (which judges again, so a name later pointed at a private
 * address is refused then). `allowPrivate` lifts the rule for a local or trusted network.
 */
export async function webhookTargetProblem(
  url: string,
  allowPrivate: boolean,
  resolve: (host: string) => Promise<string[]> = resolveAll,
): Promise<string | undefined> {
  if (allowPrivate) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return 'is not a URL';
  }
  if (host === 'localhost' || host.endsWith('.localhost'))
    return `host ${host} is a loopback name; private targets are not allowed (WEBHOOK_PRIVATE_TARGETS)`;
  const addresses = isIP(host) ? [host] : await resolve(host).catch(() => []);
  const blocked = addresses.find(isPrivateAddress);
  return blocked
    ? `host ${host} is the private address ${blocked}; private targets are not allowed (WEBHOOK_PRIVATE_TARGETS)`
    : undefined;
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
