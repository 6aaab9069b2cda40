/**
 * An event as the store holds it: its type and its data (for facts and flags, the whole CloudEvent). Stored
 * events carry more (id, stream, revision, position, metadata); an upcast keeps all of it.
 */
export interface VersionedEvent {
  type: string;
  data: unknown;
}

/**
 * One step of a type's history: what an event stored as `from` becomes as `to` (the next version).
 * `upcast` must be pure (no clock, no I/O, no mutation of its argument) and total (it returns a value for
 * any data, including data the old version never should have held: it never throws), so reading an old
 * event can never fail and reading it twice gives the same result.
 */
export interface Upcaster {
  from: string;
  to: string;
  /** The stored `data` of a `from` event, as a `to` event holds it. */
  upcast(data: unknown): unknown;
}

/** The registry was given steps that do not form chains ending in a current type. */
export class UpcasterRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpcasterRegistryError';
  }
}

/**
 * Every version step of every event type: `upcast(event)` applies `vN → vN+1` steps in turn until the
 * event is of a current type (one no step starts from). Events of a current type are returned as they are
 * (the same object). Stored bytes never change: this runs on the read path only (docs/audit.md, "Schema
 * evolution").
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, Upcaster>();
  private readonly older = new Map<string, readonly string[]>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const step of upcasters) {
      if (step.from === step.to) throw new UpcasterRegistryError(`${step.from} upcasts to itself`);
      if (this.steps.has(step.from))
        throw new UpcasterRegistryError(`two upcasters start from ${step.from}; a version has one successor`);
      this.steps.set(step.from, step);
    }
    for (const from of this.steps.keys()) this.currentTypeOf(from);
  }

  /** The type a stored type is read as: itself when current, else the end of its chain of steps. */
  currentTypeOf(type: string): string {
    const seen = new Set<string>([type]);
    let current = type;
    for (let step = this.steps.get(current); step; step = this.steps.get(current)) {
      current = step.to;
      if (seen.has(current)) throw new UpcasterRegistryError(`upcasters loop through ${current}`);
      seen.add(current);
    }
    return current;
  }

  /** Whether events stored as `type` are read as another type. */
  isSuperseded(type: string): boolean {
    return this.steps.has(type);
  }

  /** The event as the current version of its type; the same object when it already is one. */
  upcast<E extends VersionedEvent>(event: E): E {
    let step = this.steps.get(event.type);
    if (!step) return event;
    let type = event.type;
    let data = event.data;
    for (; step; step = this.steps.get(type)) {
      data = step.upcast(data);
      type = step.to;
    }
    return { ...event, type, data };
  }

  /** Every older type read as `type` (its earlier versions), not `type` itself; empty for most types. */
  olderVersionsOf(type: string): readonly string[] {
    let older = this.older.get(type);
    if (!older) {
      older = [...this.steps.keys()]
        .filter((from) => from !== type && this.currentTypeOf(from) === type)
        .sort();
      this.older.set(type, older);
    }
    return older;
  }

  /** Stored types read as a type that starts with `prefix` without starting with it themselves (for filters). */
  olderTypesMatching(prefix: string): string[] {
    return [...this.steps.keys()]
      .filter((from) => !from.startsWith(prefix) && this.currentTypeOf(from).startsWith(prefix))
      .sort();
  }

  /** Each step, `from → to`, in registration order (for documentation and tests). */
  list(): readonly Upcaster[] {
    return [...this.steps.values()];
  }
}
