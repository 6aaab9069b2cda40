import type { Command } from 'commander';
import { ExitCode } from '../cli-program';
import { print, UsageError } from '../store-access';

interface OwnershipOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

interface ClaimOptions extends OwnershipOptions {
  org: string;
  prefix: string;
  reason: string;
  force?: boolean;
}

interface PrefixClaimRow {
  org: string;
  prefix: string;
  by: string;
  at: string;
  reason: string;
}

/** The running API and an operator key: `--url`/`AIDWATCH_URL`, `--key`/`AIDWATCH_API_KEY`. */
function apiOf(options: OwnershipOptions): { url: string; key: string } {
  const url = (options.url ?? process.env.AIDWATCH_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const key = options.key ?? process.env.AIDWATCH_API_KEY;
  if (!key) throw new UsageError('no API key: pass --key or set AIDWATCH_API_KEY (an operator key)');
  return { url, key };
}

/** The API's answer as text, and what the command prints when it refused (status and the API's words). */
async function call(
  options: OwnershipOptions,
  method: 'GET' | 'POST',
  body?: unknown,
): Promise<{ ok: boolean; status: number; json: unknown }> {
  const { url, key } = apiOf(options);
  const res = await fetch(`${url}/admin/ownership/prefixes`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: printed as it came.
  }
  if (!res.ok)
    process.stderr.write(
      `aidwatch ownership: ${method} /admin/ownership/prefixes refused (${res.status}): ${text}\n`,
    );
  return { ok: res.ok, status: res.status, json };
}

/**
 * `aidwatch ownership prefixes list|claim`: consignment id namespaces (docs/contract.md, "Access",
 * ownership) through a running AidWatch's operator endpoints `GET`/`POST /admin/ownership/prefixes`, so the
 * claim is judged and stored exactly as over HTTP (the same refusals: 400 malformed or already that
 * organisation's, 404 an unknown organisation without `--force`, 409 an overlapping claim, other
 * organisations' consignments under the prefix, or a concurrent claim). Needs an operator key. Exit 0 done,
 * 1 refused (the API's answer on stderr), 2 bad usage.
 */
export function registerOwnershipCommand(program: Command): void {
  const ownership = program
    .command('ownership')
    .description('ownership of consignment ids: claim a prefix for an organisation, list the claims');
  const prefixes = ownership
    .command('prefixes')
    .description(
      'consignment id prefixes claimed for organisations (only the claimant registers ids under one)',
    );
  const connection = (command: Command) =>
    command
      .option('--url <url>', 'the API (default: AIDWATCH_URL or http://127.0.0.1:3000)')
      .option('--key <token>', 'an operator API key (default: AIDWATCH_API_KEY)')
      .option('--json', 'print JSON');

  connection(prefixes.command('list').description('every claim: org, prefix, by, at, reason')).action(
    async (options: OwnershipOptions) => {
      const answer = await call(options, 'GET');
      if (!answer.ok) return void (process.exitCode = ExitCode.finding);
      const items = (answer.json as { items: PrefixClaimRow[] }).items;
      print(
        options,
        items.length === 0
          ? 'no prefix claimed'
          : items.map((c) => `${c.prefix}\t${c.org}\t${c.at}\t${c.by}\t${c.reason}`).join('\n'),
        answer.json,
      );
    },
  );

  connection(
    prefixes
      .command('claim')
      .description('claim a consignment id prefix for an organisation (audited: who, when, why)')
      .requiredOption('--org <organisation>', 'the organisation (tenant) that alone registers ids under it')
      .requiredOption('--prefix <prefix>', 'the id prefix, e.g. the issuing company prefix "WFP-"')
      .requiredOption('--reason <text>', 'why (stored with the claim)')
      .option('--force', 'claim for an organisation no credential or exemption names yet'),
  ).action(async (options: ClaimOptions) => {
    const answer = await call(options, 'POST', {
      org: options.org,
      prefix: options.prefix,
      reason: options.reason,
      ...(options.force ? { force: true } : {}),
    });
    if (!answer.ok) return void (process.exitCode = ExitCode.finding);
    const data = (answer.json as { data: PrefixClaimRow }).data;
    print(options, `claimed ${data.prefix} for ${data.org} (${data.at}, by ${data.by})`, answer.json);
  });
}
