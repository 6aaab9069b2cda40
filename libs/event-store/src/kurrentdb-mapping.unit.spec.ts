import { compareLogPositions, formatLogPosition, isSystemEvent, parseLogPosition } from './kurrentdb-mapping';

describe('KurrentDB positions', () => {
  it('round-trip through `<commit>/<prepare>` beyond the range of a double', () => {
    const position = { commit: 18446744073709551000n, prepare: 18446744073709550000n };

    expect(parseLogPosition(formatLogPosition(position))).toEqual(position);
    expect(formatLogPosition({ commit: 1234n, prepare: 1200n })).toBe('1234/1200');
  });

  it('order by commit, then prepare', () => {
    const at = (text: string) => parseLogPosition(text);

    expect(compareLogPositions(at('10/5'), at('11/0'))).toBe(-1);
    expect(compareLogPositions(at('10/6'), at('10/5'))).toBe(1);
    expect(compareLogPositions(at('10/5'), at('10/5'))).toBe(0);
  });

  it('reject what another store produced', () => {
    expect(() => parseLogPosition('42')).toThrow(TypeError);
    expect(() => parseLogPosition('1/-2')).toThrow(TypeError);
  });

  it('treat `$` streams and types as the server’s own', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', '$statsCollected')).toBe(true);
    expect(isSystemEvent('$$consignment-1', '$metadata')).toBe(true);
    expect(isSystemEvent('consignment-1', 'aidwatch.consignment.loaded.v1')).toBe(false);
  });
});
