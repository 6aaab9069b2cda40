import { parseSimulatorArgs, SimulatorUsageError } from './simulator-args';

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
      { AIDWATCH_KEY: 'awk_1_secret' },
    );
    expect(args).toMatchObject({
      to: 'http://127.0.0.1:3000/events',
      manifest: 'm.json',
      key: 'awk_1_secret',
    });
    expect(parseSimulatorArgs(['--to', 'kafka://127.0.0.1:19092', '--anomalies', '2']).anomalies).toBe(2);
  });

  it('takes the key for HTTP from --key, else AIDWATCH_KEY, and refuses to send to HTTP without one', () => {
    const to = ['--to', 'https://aidwatch.example.org/events'];
    expect(parseSimulatorArgs([...to, '--key', 'awk_a_1'], { AIDWATCH_KEY: 'awk_b_2' }).key).toBe('awk_a_1');
    expect(parseSimulatorArgs(to, { AIDWATCH_KEY: 'awk_b_2' }).key).toBe('awk_b_2');
    expect(() => parseSimulatorArgs(to, {})).toThrow(/needs a producer key: --key <key> or AIDWATCH_KEY/);
    expect(() => parseSimulatorArgs(to, { AIDWATCH_KEY: '' })).toThrow(SimulatorUsageError);
    expect(() => parseSimulatorArgs([...to, '--key', 'two words'], {})).toThrow(/--key/);
    // stdout and Kafka need no key (Kafka's own authentication is the broker's).
    expect(parseSimulatorArgs([], {}).key).toBeUndefined();
    expect(parseSimulatorArgs(['--to', 'kafka://127.0.0.1:19092'], {}).key).toBeUndefined();
  });

  it('rejects what it cannot honour', () => {
    expect(() => parseSimulatorArgs(['--vessels', 'many'])).toThrow(/--vessels/);
    expect(() => parseSimulatorArgs(['--to', 'ftp://x'])).toThrow(/--to/);
    expect(() => parseSimulatorArgs(['--format', 'nmea', '--to', 'kafka://h:1'])).toThrow(
      /only for --to stdout/,
    );
    expect(() => parseSimulatorArgs(['--unknown'])).toThrow(SimulatorUsageError);
  });
});
