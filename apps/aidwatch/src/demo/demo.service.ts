import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ApiKeyStore } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import type { Logger } from '@aidwatch/observability';
import { API_KEY_STORE, APP_CONFIG, LOGGER } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';
import { demoGrants, isDemoKeyLabel } from './demo-credentials';
import { loadDemoScenario } from './demo-loader';
import { demoScenario } from './demo-scenario';
import { ReadModelService } from '../../../api/src/caller/read-model.service';
import { DetectionService } from '../../../detector/src/detection.service';

/** How long `announce` waits for detection and the read model to fold the demo before it gives up saying so. */
const FLAGS_READY_TIMEOUT_MS = 300_000;

/**
 * Loads the demo scenario through the normal intake path (idempotent: a restart adds nothing), then
 * issues fresh demo credentials (revoking the previous run's) and prints them, one per line:
 * `AIDWATCH_DEMO_KEY role=<role> tenant=<tenant> key=<token>`.
 */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    private readonly intake: EventIntake,
    private readonly modules: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    const started = Date.now();
    const events = demoScenario();
    const load = await loadDemoScenario(this.intake, events);
    if (!load.ok)
      this.logger.warn(
        { conflict: load.conflict },
        "the store holds events under the demo's ids with other content (another version of the demo or another tool); start with an empty store to load this demo",
      );
    this.logger.info(
      `demo scenario loaded: ${load.events} events, ${load.appended} new, in ${Date.now() - started} ms; its flags follow once detection has judged them`,
    );
    for (const key of await this.keys.list()) {
      if (isDemoKeyLabel(key.label) && !key.revokedAt) await this.keys.revoke(key.id);
    }
    const lines: string[] = [];
    for (const { tenantLabel, ...grant } of demoGrants(events)) {
      const { key } = await this.keys.create(grant);
      lines.push(`AIDWATCH_DEMO_KEY role=${grant.role} tenant=${tenantLabel} key=${key}\n`);
    }
    process.stdout.write(lines.join(''));
  }

  /**
   * The last lines of the start-up log, once the server listens at `url`: with the demo, waits until detection
   * and the read model have folded everything stored (up to FLAGS_READY_TIMEOUT_MS), then says
   * `demo flags ready: <n> flags of <m> rules`; then where the console is and how to sign in.
   */
  async announce(url: string): Promise<void> {
    const signIn = this.config.demo
      ? 'sign in with a key printed above as AIDWATCH_DEMO_KEY (role=operator sees every organisation, role=dashboard its own)'
      : 'sign in with an API key (npx aidwatch keys create --role dashboard --tenant <organisation>)';
    if (this.config.demo) {
      const detection = this.modules.get(DetectionService, { strict: false });
      const readModel = this.modules.get(ReadModelService, { strict: false });
      try {
        await detection.runner.caughtUp(FLAGS_READY_TIMEOUT_MS);
        await readModel.runner.caughtUp(FLAGS_READY_TIMEOUT_MS);
        const flags = readModel.projection.flags.query({ limit: 100_000 }).items;
        const rules = new Set(flags.map((f) => f.flag.rule)).size;
        this.logger.info(`demo flags ready: ${flags.length} flags of ${rules} rules (GET /flags)`);
      } catch (error) {
        this.logger.warn({ err: error }, 'demo flags not ready yet: detection is still catching up');
      }
    }
    this.logger.info(`console: ${url}/console — ${signIn}`);
  }
}
