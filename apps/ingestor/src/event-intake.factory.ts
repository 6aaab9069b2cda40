import { StoreTenantLookup } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import type { EventStore } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import type { AidwatchMetrics } from '@aidwatch/observability';

/**
 * The intake as the deployment configures it (string limits, AIS windows, allowed clock skew, the
 * ownership model read from the store): what the ingestor serves and what `aidwatch demo` loads through.
 */
export function eventIntakeOf(store: EventStore, metrics: AidwatchMetrics, config: AppConfig): EventIntake {
  return new EventIntake(
    store,
    metrics,
    {
      identifierLength: config.limits.identifierLength,
      textLength: config.limits.textLength,
      jsonDepth: config.limits.jsonDepth,
      ownership: new StoreTenantLookup(store),
      nmea: {
        fragmentWindowMs: config.intake.aisFragmentWindowMs,
        duplicateWindowMs: config.intake.aisDuplicateWindowMs,
      },
      quiet: { quietMs: config.intake.inputQuietMs },
    },
    { maxFutureSkewMs: config.limits.maxFutureSkewSec * 1000 },
  );
}
