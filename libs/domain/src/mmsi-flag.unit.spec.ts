import { flagOfMmsi, midOfMmsi } from './mmsi-flag';

describe('flag state from the MMSI', () => {
  it.each([
    ['445123000', 'KP'],
    ['412345678', 'CN'],
    ['413000001', 'CN'],
    ['414999999', 'CN'],
    ['273456789', 'RU'],
    ['440123456', 'KR'],
    ['441000000', 'KR'],
    ['431000000', 'JP'],
    ['432000000', 'JP'],
    ['352000000', 'PA'],
    ['357000000', 'PA'],
    ['370000000', 'PA'],
    ['373000000', 'PA'],
    ['538000000', 'MH'],
    ['636000000', 'LR'],
    ['511000000', 'PW'],
    ['572000000', 'TV'],
    ['577000000', 'VU'],
    ['667000000', 'SL'],
    ['620000000', 'KM'],
    ['312000000', 'BZ'],
    ['457000000', 'MN'],
    ['341000000', 'KN'],
    ['671000000', 'TG'],
  ])('ship station %s flies %s', (mmsi, flag) => {
    expect(flagOfMmsi(mmsi)).toBe(flag);
  });

  it('finds the MID inside coast station, group, auxiliary craft, AtoN and SAR aircraft identities', () => {
    expect(midOfMmsi('004450001')).toBe('445');
    expect(midOfMmsi('044512345')).toBe('445');
    expect(flagOfMmsi('984451234')).toBe('KP');
    expect(flagOfMmsi('994401234')).toBe('KR');
    expect(flagOfMmsi('111273123')).toBe('RU');
  });

  it('names no flag for SART/MOB/EPIRB identities, unknown MIDs or malformed MMSIs', () => {
    expect(flagOfMmsi('970123456')).toBeUndefined();
    expect(flagOfMmsi('800123456')).toBeUndefined();
    expect(flagOfMmsi('999999999')).toBeUndefined();
    expect(flagOfMmsi('20012345')).toBeUndefined();
    expect(flagOfMmsi('21712345x')).toBeUndefined();
  });
});
