/**
 * A vessel name reduced for comparison across sources (sanctions lists, AIS static reports): Unicode
 * compatibility-decomposed with diacritics dropped, upper case, AIS padding (`@`) and punctuation turned
 * to spaces, a leading hull prefix (`M/V`, `MV`, `M.V.`, `MT`, `M/T`, `SS`) removed, runs of spaces
 * collapsed. `CHON MA SAN`, `Chon-Ma-San` and `M/V CHON MA SAN@@@` all give `CHON MA SAN`. Returns null
 * when nothing is left.
 */
export function normaliseVesselName(name: string | undefined | null): string | null {
  if (!name) return null;
  const text = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    .replace(/^(M V|MV|M T|MT|S S|SS) (?=\S)/, '')
    .trim();
  return text === '' ? null : text;
}
