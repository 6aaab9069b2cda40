import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const root = path.resolve(__dirname, '../..');

/** Which process to start: `apps/<role>/src/main.ts`. */
export type ServiceRole = 'aidwatch' | 'api' | 'ingestor' | 'detector';

export interface ServiceOptions {
  role: ServiceRole;
  /** A name for messages and the log file (default: the role). */
  name?: string;
  /** PostgreSQL URL: the service runs with EVENT_STORE=postgres on it. */
  databaseUrl: string;
  /** Port to listen on; 0 (default) picks a free one, read back from the "listening on" log line. */
  port?: number;
  /**
   * More environment, over the defaults (no Kafka, DEMO=false, LOG_LEVEL=info, a data directory of its own).
   * LOG_LEVEL must stay info or lower: the URL is read from the service's `listening on` line.
   */
  env?: Record<string, string | undefined>;
  /** A file the service's stdout and stderr are copied to, beside the in-memory tail. */
  logFile?: string;
}

export interface AidwatchService {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Its own data directory (removed by `stop`): whatever it shares with another process, it shares through PostgreSQL. */
  dataDir: string;
  /** Base URL (`http://host:port`), once it logs that it listens; rejects if it exits first. */
  url: Promise<string>;
  /** Its output so far, in lines (stdout and stderr). */
  log: string[];
  /** True while the process runs. */
  running(): boolean;
  /** GET /health as JSON (any status: a degraded service answers 503 with the same body). */
  health<T = HealthBody>(): Promise<T>;
  /**
   * Stops it by pid: SIGTERM (default) waits up to `graceMs` (10 s) for a clean exit, then SIGKILL; SIGKILL
   * ends it at once, as a crash would. Resolves once it has exited; a stopped service is left alone.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL', graceMs?: number): Promise<void>;
}

export interface HealthBody {
  status: string;
  checks: Record<string, { ok: boolean; detail?: Record<string, unknown> } | undefined>;
}

/** Starts an AidWatch service process on PostgreSQL; `waitForHealth` tells when it answers. */
export function startService(options: ServiceOptions): AidwatchService {
  const name = options.name ?? options.role;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `aidwatch-${name}-`));
  const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${options.role}/src/main.ts`], {
    cwd: root,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: path.join(root, 'tsconfig.json'),
      EVENT_STORE: 'postgres',
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: '',
      DEMO: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const file = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
  const keep = (line: string) => {
    log.push(line);
    if (log.length > 2000) log.splice(0, log.length - 2000);
    file?.write(line + '\n');
  };
  readline.createInterface({ input: child.stderr! }).on('line', keep);
  const url = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      const match = /listening on (http:\/\/[^\s"]+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code, signal) =>
      reject(
        new Error(`${name} ended (${code ?? signal}) before listening:\n${log.join('\n').slice(-4000)}`),
      ),
    );
  });
  url.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  return {
    name,
    child,
    pid: child.pid!,
    dataDir,
    url,
    log,
    running,
    health: async <T>() => (await (await fetch(`${await url}/health`)).json()) as T,
    stop: async (signal = 'SIGTERM', graceMs = 10_000) => {
      if (running()) {
        // A process stopped with SIGSTOP (a frozen service) must be able to act on the signal.
        process.kill(child.pid!, 'SIGCONT');
        process.kill(child.pid!, signal);
        if (signal === 'SIGTERM') {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
          clearTimeout(timer);
          if (running()) process.kill(child.pid!, 'SIGKILL');
        }
        await exited;
      }
      file?.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the service answers GET /health (any JSON body), or throws after `timeoutMs`. */
export async function waitForHealth(service: AidwatchService, timeoutMs = 60_000): Promise<HealthBody> {
  const deadline = Date.now() + timeoutMs;
  await Promise.race([
    service.url,
    new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`${service.name} did not listen within ${timeoutMs} ms`)),
        timeoutMs,
      ).unref(),
    ),
  ]);
  for (;;) {
    try {
      return await service.health();
    } catch (error) {
      if (Date.now() > deadline || !service.running())
        throw new Error(`${service.name} did not answer /health: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
