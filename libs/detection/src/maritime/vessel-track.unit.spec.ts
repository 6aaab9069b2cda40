import { NAME_HISTORY, VesselTrack } from './vessel-track';

describe('a vessel is named as it was at a time', () => {
  const H = 3_600_000;
  it('the newest name reported at or before the time; none before its first', () => {
    const t = new VesselTrack('445209000', []);
    expect(t.nameAt(5 * H)).toBeNull();
    t.reportName('YU SON 8', 2 * H);
    t.reportName('YU SON 8', 3 * H);
    t.reportName('SU SONG', 10 * H);
    expect(t.nameAt(1 * H)).toBeNull();
    expect(t.nameAt(2 * H)).toBe('YU SON 8');
    expect(t.nameAt(9 * H)).toBe('YU SON 8');
    expect(t.nameAt(10 * H)).toBe('SU SONG');
    expect(t.nameAt(100 * H)).toBe('SU SONG');
    expect(t.name).toBe('SU SONG');
  });

  it('keeps a bounded history: older times read the oldest kept name', () => {
    const t = new VesselTrack('445209000', []);
    for (let i = 0; i <= NAME_HISTORY + 3; i++) t.reportName(`NAME ${i}`, i * H);
    expect(t.previousNames).toHaveLength(NAME_HISTORY);
    expect(t.nameAt(0)).toBe('NAME 3');
    expect(t.nameAt(5 * H + 1)).toBe('NAME 5');
    expect(t.nameAt((NAME_HISTORY + 3) * H)).toBe(`NAME ${NAME_HISTORY + 3}`);
  });

  it('a vessel restored without a history (older checkpoint) reads its newest name at any time', () => {
    const t = new VesselTrack('445209000', []);
    t.name = 'SU SONG';
    expect(t.nameAt(0)).toBe('SU SONG');
  });
});
