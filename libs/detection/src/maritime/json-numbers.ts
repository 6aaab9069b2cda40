/** `value` with every NaN and ±Infinity written as {"$n": "NaN"} (so it survives JSON); undefined fields dropped. */
export function encodeNumbers(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $n: String(value) };
  if (Array.isArray(value)) return value.map(encodeNumbers);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeNumbers(v);
    return out;
  }
  return value;
}

/** The inverse of `encodeNumbers`. */
export function decodeNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeNumbers);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$n === 'string' && Object.keys(o).length === 1) return Number(o.$n);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeNumbers(v);
    return out;
  }
  return value;
}
