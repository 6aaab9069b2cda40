/**
 * One kind of subject a detector checkpoints one at a time, each under the key `<kind>:<id>` (`vessel:<mmsi>`,
 * `consignment:<id>`…). Ids must not be empty; `kind` holds no colon.
 */
export interface SubjectKind {
  /** The key prefix (`vessel`, `imo`, `consignment`…). */
  readonly kind: string;
  /** The ids of every subject of this kind kept now, in any order. */
  ids(): Iterable<string>;
  /** A subject's entry (plain JSON); undefined when it is not kept (a forgotten vessel). */
  entry(id: string): unknown;
  /**
   * The ids changed since last asked, for a kind that notes its own changes (a rule's subjects, a detector's
   * vessels kept as objects). A kind without it is told of changes through `CheckpointSubjects.note`.
   */
  takeChanged?(): Iterable<string>;
}

/**
 * The subjects a detector checkpoints, by kind: the keys changed since the last checkpoint
 * (`takeChangedKeys`), every key (`markAllChanged`, for a checkpoint written whole), one entry by key
 * (`entry`) and every entry (`entries`, a whole snapshot). Both detectors keep theirs here, so an
 * incremental checkpoint, a whole snapshot and a restore see the same subjects whatever the detector.
 *
 * Shapes: a key is `<kind>:<id>`; `takeChangedKeys` gives them sorted (deterministic parts); `entries` gives
 * each kind in the order passed to the constructor, ids sorted. Throws `Error` at construction for two kinds
 * of one name or a kind holding a colon.
 */
export class CheckpointSubjects {
  private readonly changed = new Set<string>();
  private readonly byKind = new Map<string, SubjectKind>();

  constructor(readonly kinds: readonly SubjectKind[]) {
    for (const k of kinds) {
      if (k.kind.includes(':')) throw new Error(`subject kind "${k.kind}" holds a colon`);
      if (this.byKind.has(k.kind)) throw new Error(`subject kind "${k.kind}" given twice`);
      this.byKind.set(k.kind, k);
    }
  }

  /** Notes subject `<kind>:<id>` as changed (kinds without `takeChanged`). */
  note(kind: string, id: string): void {
    this.changed.add(`${kind}:${id}`);
  }

  /** Counts every subject as changed: the next `takeChangedKeys` lists them all (a checkpoint written whole). */
  markAllChanged(): void {
    for (const k of this.kinds) for (const id of k.ids()) this.changed.add(`${k.kind}:${id}`);
  }

  /** Keys of the subjects changed since the last call (or the last `clearChanged`), sorted; none are kept. */
  takeChangedKeys(): string[] {
    for (const k of this.kinds)
      if (k.takeChanged) for (const id of k.takeChanged()) this.changed.add(`${k.kind}:${id}`);
    const keys = [...this.changed].sort();
    this.changed.clear();
    return keys;
  }

  /** Forgets every change noted so far (after a restore, or a whole snapshot). */
  clearChanged(): void {
    this.takeChangedKeys();
  }

  /** One subject's entry by key; undefined when it is not kept or its kind is unknown. */
  entry(key: string): unknown {
    const colon = key.indexOf(':');
    if (colon < 0) return undefined;
    return this.byKind.get(key.slice(0, colon))?.entry(key.slice(colon + 1));
  }

  /** Every subject's entry by key (a whole snapshot): kinds in order, ids sorted, none left undefined. */
  entries(): Record<string, unknown> {
    const entries: Record<string, unknown> = {};
    for (const k of this.kinds)
      for (const id of [...k.ids()].sort()) {
        const entry = k.entry(id);
        if (entry !== undefined) entries[`${k.kind}:${id}`] = entry;
      }
    return entries;
  }
}
