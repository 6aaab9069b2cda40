import type { TransformFnParams } from 'class-transformer';

/**
 * Numeric query parameters are plain decimals: `"100"` becomes 100; `"1e3"`, `"0x10"`, `" 5"`, `"+5"`,
 * or more than 15 digits stay strings, so the `@IsInt()` that follows refuses them with a 400 instead of
 * JavaScript's `Number()` reading them as numbers (or as Infinity). Use `@Transform(toPlainInteger)`.
 */
export function toPlainInteger({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
}

/** A stream revision or store position in a query: plain decimal digits, at most 15. */
export const PLAIN_DECIMAL = /^\d{1,15}$/;
