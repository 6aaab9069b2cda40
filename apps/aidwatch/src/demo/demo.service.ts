import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { ApiKeyStore } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import type { Logger } from '@aidwatch/observability';
import { API_KEY_STORE, APP_CONFIG, LOGGER } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';
import { DEMO_KEY_LABEL, demoGrants } from './demo-credentials';
import { loadDemoScenario } from './demo-loader';
import { demoScenario } from './demo-scenario';

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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    const started = Date.now();
    const events = demoScenario();
    const load = await loadDemoScenario(this.intake, events);
    if (!load.ok)
      this.logger.warn(
        { conflict: load.conflict },
        'DATA_DIR holds demo events of another version; start with an empty DATA_DIR to load this demo',
      );
    this.logger.info(
      { events: load.events, appended: load.appended, ms: Date.now() - started },
      'demo scenario loaded; try GET /flags with a demo key: curl -H "Authorization: Bearer <key>"',
    );
    for (const key of this.keys.list()) {
      if (key.label === DEMO_KEY_LABEL && !key.revokedAt) this.keys.revoke(key.id);
    }
    const lines = demoGrants(events).map(({ tenantLabel, ...grant }) => {
      const { key } = this.keys.create(grant);
      return `AIDWATCH_DEMO_KEY role=${grant.role} tenant=${tenantLabel} key=${key}\n`;
    });
    process.stdout.write(lines.join(''));
  }
}
