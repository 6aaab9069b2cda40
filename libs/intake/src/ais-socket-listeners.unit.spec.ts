import fc from 'fast-check';
import { AisTcpSourceClient, udpReceiveBufferErrors } from './ais-socket-listeners';

describe('AisTcpSourceClient.backoffMs', () => {
  it('doubles from the initial delay up to the cap, the wait drawn between half and all of it', () => {
    expect(AisTcpSourceClient.backoffMs(0, 250, 30_000, () => 1)).toBe(250);
    expect(AisTcpSourceClient.backoffMs(3, 250, 30_000, () => 1)).toBe(2000);
    expect(AisTcpSourceClient.backoffMs(3, 250, 30_000, () => 0)).toBe(1000);
    expect(AisTcpSourceClient.backoffMs(100, 250, 30_000, () => 1)).toBe(30_000);
  });

  it('never waits less than half the capped delay nor more than the cap (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, initial, max, r) => {
          const full = Math.min(max, initial * 2 ** Math.min(n, 30));
          const wait = AisTcpSourceClient.backoffMs(n, initial, max, () => r);
          return wait >= Math.floor(full / 2) && wait <= Math.ceil(full) && wait <= max;
        },
      ),
    );
  });
});

describe('udpReceiveBufferErrors', () => {
  it("reads Linux's Udp RcvbufErrors from /proc/net/snmp text", () => {
    const snmp = [
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'Udp: 10538 12 7 10650 5 0 0 0 0',
      'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'UdpLite: 0 0 0 0 0 0 0 0 0',
    ].join('\n');
    expect(udpReceiveBufferErrors(snmp)).toBe(5);
    expect(udpReceiveBufferErrors('Tcp: a b\nTcp: 1 2')).toBeUndefined();
  });
});
