import { defaultDiversionConfig, type DiversionConfig } from './diversion/diversion-config';
import { maritimeConfig, type MaritimeConfig } from './maritime/maritime-config';
import { defaultMaritimeConfig } from './maritime/maritime-config';

export interface DetectionConfig {
  diversion: DiversionConfig;
  maritime: MaritimeConfig;
}

export const defaultDetectionConfig = (): DetectionConfig => ({
  diversion: { ...defaultDiversionConfig },
  maritime: maritimeConfig(),
});

const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

type Setter = (config: DetectionConfig, value: number) => void;

/**
 * Every numeric threshold by its setting name: diversion fields as `SHRINKAGE_TOLERANCE_PCT`, maritime
 * fields as `<SECTION>_<FIELD>` (e.g. `ENCOUNTER_MAX_DISTANCE_M`) or `<FIELD>` at the top level. A name both
 * rule sets have (`INPUT_END_QUIET_MINUTES`) sets both.
 */
function settableThresholds(): Map<string, Setter> {
  const named = new Map<string, Setter>();
  const setters = {
    has: (name: string) => named.has(name),
    set: (name: string, setter: Setter) => {
      const before = named.get(name);
      named.set(name, before ? (c, v) => (before(c, v), setter(c, v)) : setter);
    },
  };
  for (const [field, value] of Object.entries(defaultDiversionConfig)) {
    if (typeof value !== 'number') continue;
    setters.set(snake(field), (c, v) => ((c.diversion as unknown as Record<string, number>)[field] = v));
  }
  for (const [section, value] of Object.entries(defaultMaritimeConfig)) {
    if (typeof value === 'number') {
      setters.set(snake(section), (c, v) => ((c.maritime as unknown as Record<string, number>)[section] = v));
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const [field, inner] of Object.entries(value)) {
      if (typeof inner !== 'number') continue;
      setters.set(`${snake(section)}_${snake(field)}`, (c, v) => {
        const sections = c.maritime as unknown as Record<string, Record<string, number>>;
        sections[section] = { ...sections[section], [field]: v };
      });
    }
  }
  return named;
}

export class UnknownThresholdError extends Error {
  constructor(
    readonly names: string[],
    known: string[],
  ) {
    super(
      `Unknown detection setting(s) ${names.map((n) => `DETECTION_${n}`).join(', ')}; known: ${known.map((k) => `DETECTION_${k}`).join(', ')}`,
    );
  }
}

/** The defaults with `DETECTION_*` overrides applied (names without the prefix). */
export function detectionConfigFrom(overrides: Readonly<Record<string, number>> = {}): DetectionConfig {
  const config = defaultDetectionConfig();
  const setters = settableThresholds();
  const unknown = Object.keys(overrides).filter((name) => !setters.has(name));
  if (unknown.length > 0) throw new UnknownThresholdError(unknown, [...setters.keys()]);
  for (const [name, value] of Object.entries(overrides)) setters.get(name)?.(config, value);
  return config;
}

export const detectionSettingNames = (): string[] => [...settableThresholds().keys()];
