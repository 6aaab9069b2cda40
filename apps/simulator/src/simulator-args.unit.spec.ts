import { parseSimulatorArgs } from './simulator-args';

describe('simulator command line', () => {
  it('has defaults for a two-day, fifty-vessel run to stdout', () => {
    expect(parseSimulatorArgs([])).toMatchObject({
      vessels: 50,
      hours: 48,
      seed: 7,
      start: '2026-11-01T00:00:00Z',
      downsample: 1,
      to: 'stdout',
      format: 'ndjson',
      batch: 500,
      skipPorts: false,
    });
  });

  it('reads the documented example', () => {
    const args = parseSimulatorArgs(
      '--vessels 50 --hours 48 --seed 7 --to http://127.0.0.1:3000/events --manifest m.json --start 2026-11-01T00:00:00Z'.split(
        ' ',
      ),
    );
    expect(args).toMatchObject({ to: 'http://127.0.0.1:3000/events', manifest: 'm.json' });
    expect(parseSimulatorArgs(['--to', 'kafka://127.0.0.1:19092', '--anomalies', '2']).anomalies).toBe(2);
  });

  it('rejects what it cannot honour', () => {
    expect(() => parseSimulatorArgs(['--vessels', 'many'])).toThrow(/--vessels/);
    expect(() => parseSimulatorArgs(['--to', 'ftp://x'])).toThrow(/--to/);
    expect(() => parseSimulatorArgs(['--format', 'nmea', '--to', 'kafka://h:1'])).toThrow(
      /only for --to stdout/,
    );
    expect(() => parseSimulatorArgs(['--unknown'])).toThrow();
  });
});
