import { Option, type Command } from 'commander';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createApiKeyStore,
  grantProblems,
  parseApiKey,
  secretMatches,
  Roles,
  type ApiKeyGrant,
  type ApiKeyStore,
  type ApiKeyRecord,
  type Role,
} from '@aidwatch/access';
import { loadConfig } from '@aidwatch/config';
import { print, UsageError } from '../store-access';

interface KeyStoreOptions {
  dataDir?: string;
  json?: boolean;
}

interface CreateOptions extends KeyStoreOptions {
  keyFile?: string;
  role: Role;
  tenant?: string;
  source?: string[];
  monitorId?: string;
  label?: string;
}

/** The columns of `keys list`, in order. */
const KEY_COLUMNS = ['ID', 'ROLE', 'TENANT', 'STATUS', 'SOURCES', 'MONITOR', 'LABEL'] as const;

/**
 * `keys list` as a table: a header row, then one row per key (never its secret), columns padded to their
 * widest cell; `-` for an empty cell, `*` for a key of every tenant.
 */
export function keyTable(records: readonly ApiKeyRecord[]): string {
  if (records.length === 0) return '(no keys)';
  const rows = records.map((r) => [
    r.id,
    r.role,
    r.tenant ?? '*',
    r.revokedAt ? `revoked ${r.revokedAt}` : 'active',
    r.sources?.join(',') || '-',
    r.monitorId ?? '-',
    r.label ?? '-',
  ]);
  const table = [[...KEY_COLUMNS], ...rows];
  const widths = KEY_COLUMNS.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `keys create --key-file`: keeps a file that already holds a valid (unrevoked, matching, same role) key,
 * else creates a key and writes it there — the token and a newline, mode 0644 (a Prometheus container reads
 * it as another user; keep the file in a volume only it and the CLI mount). Never prints the key.
 */
async function createKeyFile(
  store: ApiKeyStore,
  grant: ApiKeyGrant,
  file: string,
  options: KeyStoreOptions,
): Promise<void> {
  const existing = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  const parsed = existing === undefined ? undefined : parseApiKey(existing);
  const stored = parsed && (await store.find(parsed.id));
  if (
    parsed &&
    stored &&
    !stored.revokedAt &&
    stored.role === grant.role &&
    secretMatches(parsed.secret, stored.salt, stored.hash)
  ) {
    print(options, `key ${stored.id} in ${file} is valid; kept`, { id: stored.id, file, created: false });
    return;
  }
  const { record, key } = await store.create(grant);
  writeFileSync(file, `${key}\n`);
  chmodSync(file, 0o644);
  print(options, `key ${record.id} (${record.role}) written to ${file}`, { ...record, file, created: true });
}

/**
 * The deployment's key store, the one the running services read: PostgreSQL with `EVENT_STORE=postgres`
 * (`DATABASE_URL`), else the file `DATA_DIR/access.sqlite` (or `ACCESS_KEYS_FILE`).
 */
function openKeys(options: KeyStoreOptions): ApiKeyStore {
  const env = { ...process.env, ...(options.dataDir && { DATA_DIR: options.dataDir }) };
  const config = loadConfig(env);
  if (config.eventStore.kind === 'memory')
    throw new UsageError('EVENT_STORE=memory keeps keys in memory; there is no key store to manage');
  return createApiKeyStore(config);
}

/** Where the keys are, for messages: the file, or "the PostgreSQL database". */
function keyStoreName(options: KeyStoreOptions): string {
  const config = loadConfig({ ...process.env, ...(options.dataDir && { DATA_DIR: options.dataDir }) });
  return config.eventStore.kind === 'postgres' ? 'the PostgreSQL database' : config.access.keyStorePath;
}

function withKeyStoreOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--data-dir <dir>', "the deployment's DATA_DIR (holds access.sqlite)").env('DATA_DIR'),
    )
    .option('--json', 'print one JSON document instead of text');
}

/**
 * `aidwatch keys create|list|revoke`: API keys in the deployment's key store. `create` prints the key once
 * (only its salted hash is kept); `revoke` takes effect on the services' next request.
 */
export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('create, list and revoke API keys (roles and tenants: README, Security)');

  withKeyStoreOptions(
    keys
      .command('create')
      .description('create an API key and print it once')
      .addOption(new Option('--role <role>', 'what the key may do').choices(Roles).makeOptionMandatory())
      .option('--tenant <org>', 'implementing organisation (monitor, dashboard; optional for producer)')
      .option(
        '--source <source...>',
        'CloudEvents source(s) a producer may write under; a trailing * is a prefix',
      )
      .option('--monitor-id <id>', 'the monitor a monitor key speaks for')
      .option('--label <text>', 'who holds the key, shown by list')
      .option(
        '--key-file <file>',
        'write the key to this file (mode 0644, for a scraper running as another user) instead of printing it; a file already holding a valid key of this role is kept (idempotent)',
      ),
  ).action(async (options: CreateOptions) => {
    const grant: ApiKeyGrant = {
      role: options.role,
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
      ...(options.source !== undefined ? { sources: options.source } : {}),
      ...(options.monitorId !== undefined ? { monitorId: options.monitorId } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
    };
    const problems = grantProblems(grant);
    if (problems.length > 0) throw new UsageError(problems.map((p) => p.message).join('; '));
    const store = openKeys(options);
    try {
      if (options.keyFile !== undefined) {
        await createKeyFile(store, grant, options.keyFile, options);
        return;
      }
      const { record, key } = await store.create(grant);
      print(
        options,
        `key ${record.id} (${record.role}${record.tenant ? `, ${record.tenant}` : ''}); shown once:\n${key}`,
        {
          ...record,
          key,
        },
      );
    } finally {
      await store.close();
    }
  });

  withKeyStoreOptions(keys.command('list').description('list keys (never their secrets)')).action(
    async (options: KeyStoreOptions) => {
      const store = openKeys(options);
      try {
        const records = await store.list();
        print(options, keyTable(records), { items: records });
      } finally {
        await store.close();
      }
    },
  );

  withKeyStoreOptions(
    keys.command('revoke').description('revoke a key by id').argument('<id>', 'key id'),
  ).action(async (id: string, options: KeyStoreOptions) => {
    const store = openKeys(options);
    try {
      if (!(await store.revoke(id)))
        throw new UsageError(
          `no key ${id} in ${keyStoreName(options)}; \`aidwatch keys list\` shows the ids`,
        );
      print(options, `key ${id} revoked`, { id, revoked: true });
    } finally {
      await store.close();
    }
  });
}
