import type { FieldError } from '../cloud-event';

/** How deep an inbound event may nest (`LIMIT_JSON_DEPTH`'s default): deeper ones are refused, over HTTP and Kafka. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `maxDepth` (a scalar is depth 0, `[]`
 * depth 1). Iterative, so a hostile body 100 000 levels deep cannot overflow the stack while it is checked.
 */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/**
 * Why `event` is refused when it nests deeper than `maxDepth` levels (the event object itself is one), or
 * undefined when it does not: the same wording over HTTP (400) and Kafka (dead letter), measured on the event
 * as decoded, whatever form it came in (structured, batch, binary, `data_base64`). Storing JSON nested a few
 * thousand levels deep overflows the stack, so this is checked before anything walks the event.
 */
export function eventDepthRejection(
  event: unknown,
  maxDepth: number,
): { reason: string; errors: FieldError[] } | undefined {
  if (!jsonDepthExceeds(event, maxDepth)) return undefined;
  return {
    reason: `the event nests deeper than ${maxDepth} levels`,
    errors: [{ field: '', message: `an event may nest at most ${maxDepth} levels (LIMIT_JSON_DEPTH)` }],
  };
}
