import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getContainerRuntimeClient } from 'testcontainers';

let answer: Promise<boolean> | undefined;

/** Whether a Docker-compatible engine answers, as testcontainers finds it (DOCKER_HOST, socket, config). */
export async function containerRuntimeAvailable(): Promise<boolean> {
  answer ??= getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  return answer;
}

/**
 * Whether an engine is configured at all: DOCKER_HOST, a testcontainers properties file, or one of the
 * sockets testcontainers looks for. Synchronous, so a spec can decide at registration time whether to
 * register its cases or skip them; a configured engine must still answer (`containerRuntimeAvailable`).
 * A `docker` CLI alone is not an engine.
 */
export function containerRuntimeConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.DOCKER_HOST) return true;
  const properties = path.join(os.homedir(), '.testcontainers.properties');
  if (
    fs.existsSync(properties) &&
    /^\s*(docker\.host|tc\.host)\s*=/m.test(fs.readFileSync(properties, 'utf8'))
  ) {
    return true;
  }
  const sockets = [
    '/var/run/docker.sock',
    env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'docker.sock'),
    path.join(os.homedir(), '.docker', 'run', 'docker.sock'),
    path.join(os.homedir(), '.docker', 'desktop', 'docker.sock'),
    path.join('/run', 'user', String(os.userInfo().uid), 'docker.sock'),
  ];
  return sockets.some((socket) => typeof socket === 'string' && fs.existsSync(socket));
}
