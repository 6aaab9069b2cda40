import * as fs from 'node:fs';
import * as net from 'node:net';
import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { AidwatchMetrics } from '@aidwatch/observability';

/**
 * Where the listeners hand NMEA text: `EventIntake.ingestNmeaText(text, receivedAtMs, station)`, the same
 * line decoder, fragment reassembly, duplicate window and metrics as `POST /ais/nmea`.
 */
export type NmeaSink = (text: string, receivedAtMs: number, station: string) => Promise<unknown>;

/** Logs what goes wrong in a listener (a pino logger fits). */
export interface ListenerLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** Longest line a TCP source may send (bytes): an NMEA sentence is at most 82, a tag block adds a few dozen. */
export const MAX_NMEA_LINE = 1024;
/** Most lines waiting per station before UDP datagrams are dropped (counted `overflow`) or TCP reads pause. */
export const DEFAULT_BACKLOG_LINES = 100_000;
/** A batch handed to the sink holds text received within this many ms (sentences without `c:` take its time). */
const BATCH_SPAN_MS = 1000;
/**
 * A batch holds about this many lines at most: decoding and storing one holds the thread, so the socket is
 * read between batches (on a fresh turn) and the kernel's receive buffer does not fill meanwhile.
 */
const BATCH_LINES = 500;

/**
 * The text of one station waiting for the sink, in arrival order: one sink call at a time, and whatever
 * arrives meanwhile goes in the next call as one text (many datagrams, one append), so the decoder sees
 * the station's lines in order and the store is written in batches under load.
 */
class StationBacklog {
  private chunks: Array<{ text: string; lines: number; at: number }> = [];
  private waitingLines = 0;
  private running: Promise<void> | undefined;
  private readonly drained: Array<() => void> = [];

  constructor(
    private readonly station: string,
    private readonly sink: NmeaSink,
    private readonly maxLines: number,
    private readonly log: ListenerLog,
  ) {}

  get lines(): number {
    return this.waitingLines;
  }

  get full(): boolean {
    return this.waitingLines >= this.maxLines;
  }

  /** Queues text received at `at`; false (nothing queued) when the backlog is full. */
  push(text: string, lines: number, at: number): boolean {
    if (this.waitingLines + lines > this.maxLines) return false;
    this.chunks.push({ text, lines, at });
    this.waitingLines += lines;
    this.running ??= this.run();
    return true;
  }

  /** Resolves once everything queued so far has been through the sink. */
  idle(): Promise<void> {
    return this.running ? new Promise((resolve) => this.drained.push(resolve)) : Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.chunks.length > 0) {
      const first = this.chunks[0].at;
      let n = 0;
      let size = 0;
      while (
        n < this.chunks.length &&
        this.chunks[n].at - first < BATCH_SPAN_MS &&
        (n === 0 || size < BATCH_LINES)
      )
        size += this.chunks[n++].lines;
      const batch = this.chunks.splice(0, n);
      const lines = batch.reduce((sum, c) => sum + c.lines, 0);
      try {
        await this.sink(batch.map((c) => c.text).join('\n'), first, this.station);
      } catch (error) {
        this.log.warn(
          { err: error, station: this.station, lines },
          'AIS listener: lines could not be stored',
        );
      }
      this.waitingLines -= lines;
      if (this.waitingLines < this.maxLines / 2) this.onRoom?.();
      // Lets the socket deliver what arrived meanwhile before the next batch is decoded.
      await setImmediate();
    }
    this.running = undefined;
    for (const resolve of this.drained.splice(0)) resolve();
  }

  /** Called when a full backlog has room again (TCP resumes reading). */
  onRoom: (() => void) | undefined;
}

const countLines = (text: string): number => {
  let n = 0;
  for (const line of text.split('\n')) if (line.trim() !== '') n++;
  return n;
};

/** `::ffff:127.0.0.1` → `127.0.0.1` (an IPv4 sender on a dual-stack socket). */
const plainAddress = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * The UDP reader, on a thread of its own (plain JavaScript, evaluated by `worker_threads`): it only reads
 * datagrams, tells configured senders from others and hands the datagrams to the main thread in bulk
 * (every 2 ms, or 1,000 datagrams). libuv reads at most 32 datagrams per event-loop turn, so a socket read
 * on the thread that also decodes and stores would fall behind the kernel's buffer under load.
 */
const UDP_READER = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const { host, port, type, receiveBufferBytes, stations } = workerData;
const stationOf = new Map(stations);
const socket = dgram.createSocket({ type });
let items = [];
let unknown = 0;
let timer = null;
const flush = () => {
  timer = null;
  if (items.length === 0 && unknown === 0) return;
  parentPort.postMessage({ kind: 'datagrams', items, unknown });
  items = [];
  unknown = 0;
};
socket.on('message', (msg, rinfo) => {
  const station = stationOf.get(rinfo.address.replace(/^::ffff:(?=\\d+\\.\\d+\\.\\d+\\.\\d+$)/i, ''));
  if (station === undefined) unknown++;
  else items.push([station, msg.toString('latin1'), Date.now()]);
  if (items.length >= 1000) flush();
  else if (timer === null) timer = setTimeout(flush, 2);
});
socket.on('error', (error) => parentPort.postMessage({ kind: 'error', message: error.message }));
socket.bind(port, host, () => {
  try { socket.setRecvBufferSize(receiveBufferBytes); } catch { /* the kernel's cap stays */ }
  parentPort.postMessage({ kind: 'bound', port: socket.address().port });
});
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  socket.close(() => {
    flush();
    parentPort.postMessage({ kind: 'closed' });
  });
});
`;

type ReaderMessage =
  | { kind: 'bound'; port: number }
  | { kind: 'error'; message: string }
  | { kind: 'closed' }
  | { kind: 'datagrams'; items: Array<[station: string, text: string, at: number]>; unknown: number };

/**
 * NMEA 0183 over UDP (`AIS_UDP_PORT` on `HOST`): each datagram holds one or more sentences (one per line,
 * tag blocks allowed), as AIS-catcher, rtl-ais and shipboard gateways send them. Only datagrams from the
 * configured senders are read, each under its station's name (events get source `nmea:<station>`);
 * others are dropped and counted (`unknown_sender`). The socket is read on a thread of its own
 * (`UDP_READER`); decoding and storing happen here, through a backlog per station
 * (`overflow` when it is full). Metrics: `aidwatch_ais_listener_datagrams_total`,
 * `aidwatch_ais_listener_lines_total`, and the host's UDP receive-buffer drops
 * (`aidwatch_ais_listener_udp_receive_errors`).
 */
export class AisUdpListener {
  private reader: Worker | undefined;
  private readonly stations: Map<string, StationBacklog>;
  private receiveErrorsTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly options: {
      host: string;
      port: number;
      stations: ReadonlyArray<{ station: string; address: string }>;
      sink: NmeaSink;
      metrics: AidwatchMetrics;
      log: ListenerLog;
      backlogLines?: number;
      /** Socket receive buffer asked for (bytes; the kernel caps it at net.core.rmem_max). */
      receiveBufferBytes?: number;
    },
  ) {
    this.stations = new Map(
      options.stations.map(({ station }) => [
        station,
        new StationBacklog(station, options.sink, options.backlogLines ?? DEFAULT_BACKLOG_LINES, options.log),
      ]),
    );
  }

  /** Binds; resolves with the port bound (useful with port 0). Rejects when the port cannot be bound. */
  async start(): Promise<number> {
    const { host, port, metrics, log } = this.options;
    const reader = new Worker(UDP_READER, {
      eval: true,
      workerData: {
        host,
        port,
        type: net.isIPv6(host) ? 'udp6' : 'udp4',
        receiveBufferBytes: this.options.receiveBufferBytes ?? 4 * 1024 * 1024,
        stations: this.options.stations.map(({ station, address }) => [plainAddress(address), station]),
      },
    });
    this.reader = reader;
    let closedResolve!: () => void;
    this.closed = new Promise((resolve) => (closedResolve = resolve));
    const bound = await new Promise<number>((resolve, reject) => {
      reader.on('message', (message: ReaderMessage) => {
        if (message.kind === 'bound') resolve(message.port);
        else if (message.kind === 'datagrams') this.onDatagrams(message.items, message.unknown);
        else if (message.kind === 'closed') closedResolve();
        else {
          log.warn({ err: new Error(message.message) }, 'AIS UDP listener error');
          reject(new Error(`AIS UDP listener on ${host}:${port}: ${message.message}`));
        }
      });
      reader.once('error', reject);
      reader.once('exit', (code) => {
        closedResolve();
        reject(new Error(`AIS UDP listener on ${host}:${port}: reader thread ended (${code})`));
      });
    });
    const read = () => {
      const errors = udpReceiveBufferErrors();
      if (errors !== undefined) metrics.aisListenerReceiveErrors.set(errors);
    };
    read();
    this.receiveErrorsTimer = setInterval(read, 5000);
    this.receiveErrorsTimer.unref();
    log.info({ host, port: bound, stations: [...this.stations.keys()] }, 'AIS UDP listener bound');
    return bound;
  }

  private onDatagrams(items: Array<[string, string, number]>, unknown: number): void {
    const { metrics } = this.options;
    if (unknown > 0)
      metrics.aisListenerDatagrams.inc(
        { transport: 'udp', station: 'unknown', outcome: 'unknown_sender' },
        unknown,
      );
    for (const [station, text, at] of items) {
      const lines = countLines(text);
      if (!(this.stations.get(station) as StationBacklog).push(text, lines, at)) {
        metrics.aisListenerDatagrams.inc({ transport: 'udp', station, outcome: 'overflow' });
        continue;
      }
      metrics.aisListenerDatagrams.inc({ transport: 'udp', station, outcome: 'accepted' });
      metrics.aisListenerLines.inc({ transport: 'udp', station }, lines);
    }
  }

  /** Resolves once every datagram read so far has been stored (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.stations.values()].map((b) => b.idle()));
  }

  /** Stops reading, then waits for what was read to be stored. */
  async close(): Promise<void> {
    clearInterval(this.receiveErrorsTimer);
    const reader = this.reader;
    this.reader = undefined;
    if (reader) {
      reader.postMessage('close');
      await this.closed;
      await reader.terminate();
    }
    await this.idle();
  }
}

/** A TCP connection that stayed up this long (ms) worked, even without data: the backoff starts over. */
const STABLE_CONNECTION_MS = 5000;

/**
 * A receiver's NMEA TCP server (`AIS_TCP_SOURCES`, e.g. AIS-catcher `-S`, a shipboard gateway on port
 * 10110): AidWatch connects, reads lines, and stores them under the source's station. When the connection
 * fails or ends it reconnects with exponential backoff (250 ms doubling up to `reconnectMaxMs`, the wait
 * drawn between half and all of it so many sources do not retry in step), starting over after a connection
 * that delivered data or stayed up 5 s (a server that accepts and closes at once is retried ever more slowly).
 * A full backlog pauses reading (TCP flow control) instead of dropping; a line over `MAX_NMEA_LINE`
 * bytes is dropped (`too_long`). Metrics: `aidwatch_ais_listener_connected`, `…_reconnects_total`,
 * `…_datagrams_total` (reads), `…_lines_total`.
 */
export class AisTcpSourceClient {
  private socket: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt = 0;
  private partial = '';
  private readonly backlog: StationBacklog;

  constructor(
    private readonly options: {
      station: string;
      host: string;
      port: number;
      sink: NmeaSink;
      metrics: AidwatchMetrics;
      log: ListenerLog;
      reconnectMaxMs: number;
      reconnectInitialMs?: number;
      backlogLines?: number;
    },
  ) {
    this.backlog = new StationBacklog(
      options.station,
      options.sink,
      options.backlogLines ?? DEFAULT_BACKLOG_LINES,
      options.log,
    );
    this.backlog.onRoom = () => this.socket?.resume();
  }

  start(): void {
    this.options.metrics.aisListenerConnected.set({ station: this.options.station }, 0);
    this.connect();
  }

  /** The delay before reconnection attempt `n` (0-based) since the last connection that worked, ms. */
  static backoffMs(n: number, initialMs: number, maxMs: number, random = Math.random): number {
    const full = Math.min(maxMs, initialMs * 2 ** Math.min(n, 30));
    return Math.round(full / 2 + (random() * full) / 2);
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port, station, metrics, log } = this.options;
    const socket = net.connect({ host, port });
    this.socket = socket;
    this.partial = '';
    socket.setEncoding('latin1');
    socket.setKeepAlive(true, 10_000);
    let connectedAt: number | undefined;
    let delivered = false;
    socket.on('connect', () => {
      connectedAt = Date.now();
      metrics.aisListenerConnected.set({ station }, 1);
      log.info({ station, host, port }, 'AIS TCP source connected');
    });
    socket.on('data', (chunk: string) => {
      delivered = true;
      this.onData(chunk, Date.now());
    });
    // The reason in one line: a receiver that is down or refuses is an operator's matter, not a fault.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      log.warn({ station, host, port, error: error.message, code: error.code }, 'AIS TCP source error'),
    );
    socket.on('close', () => {
      metrics.aisListenerConnected.set({ station }, 0);
      if (this.socket === socket) this.socket = undefined;
      this.flushPartial(Date.now());
      if (this.stopped) return;
      // The backoff starts over only after a connection that worked: one that delivered data or stayed up
      // for STABLE_CONNECTION_MS. A server that accepts and closes at once is retried ever more slowly.
      if (connectedAt !== undefined && (delivered || Date.now() - connectedAt >= STABLE_CONNECTION_MS))
        this.attempt = 0;
      const delay = AisTcpSourceClient.backoffMs(
        this.attempt++,
        this.options.reconnectInitialMs ?? 250,
        this.options.reconnectMaxMs,
      );
      metrics.aisListenerReconnects.inc({ station });
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  private onData(chunk: string, at: number): void {
    const { station, metrics } = this.options;
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() as string;
    if (this.partial.length > MAX_NMEA_LINE) {
      metrics.aisListenerDatagrams.inc({ transport: 'tcp', station, outcome: 'too_long' });
      this.partial = '';
    }
    const lines = parts
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
      .filter((line) => {
        if (line.length <= MAX_NMEA_LINE) return line.trim() !== '';
        metrics.aisListenerDatagrams.inc({ transport: 'tcp', station, outcome: 'too_long' });
        return false;
      });
    if (lines.length === 0) return;
    this.backlog.push(lines.join('\n'), lines.length, at);
    metrics.aisListenerDatagrams.inc({ transport: 'tcp', station, outcome: 'accepted' });
    metrics.aisListenerLines.inc({ transport: 'tcp', station }, lines.length);
    if (this.backlog.full) this.socket?.pause();
  }

  /** A last line without its newline when the connection ends is still a line. */
  private flushPartial(at: number): void {
    const line = this.partial.trim();
    this.partial = '';
    if (line === '' || line.length > MAX_NMEA_LINE) return;
    this.backlog.push(line, 1, at);
    this.options.metrics.aisListenerLines.inc({ transport: 'tcp', station: this.options.station }, 1);
  }

  /** Resolves once every line read so far has been stored. */
  idle(): Promise<void> {
    return this.backlog.idle();
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (socket && !socket.destroyed)
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    await this.idle();
  }
}

/** Linux's count of UDP datagrams dropped for a full receive buffer (/proc/net/snmp); undefined elsewhere. */
export function udpReceiveBufferErrors(snmp?: string): number | undefined {
  let text = snmp;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/net/snmp', 'utf8');
    } catch {
      return undefined;
    }
  }
  const rows = text.split('\n').filter((l) => l.startsWith('Udp:'));
  if (rows.length < 2) return undefined;
  const names = rows[0].trim().split(/\s+/);
  const values = rows[1].trim().split(/\s+/);
  const i = names.indexOf('RcvbufErrors');
  return i < 0 ? undefined : Number(values[i]);
}
