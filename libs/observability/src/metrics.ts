import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics of one AidWatch process, on a registry of its own (tests create as many as they like). */
export class AidwatchMetrics {
  readonly registry = new Registry();

  readonly eventsIngested = new Counter({
    name: 'aidwatch_events_ingested_total',
    help: 'Inbound events accepted and appended, per topic (or "http") and event type.',
    labelNames: ['topic', 'type'] as const,
    registers: [this.registry],
  });

  readonly eventsRejected = new Counter({
    name: 'aidwatch_events_rejected_total',
    help: 'Inbound messages rejected by validation (sent to the dead-letter topic or answered 400), per topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly eventsFutureDated = new Counter({
    name: 'aidwatch_events_future_dated_total',
    help: 'Inbound events refused because dated beyond the time received plus MAX_FUTURE_SKEW, per topic (or "http").',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  /** Per detection input (CloudEvents source): set by the detector from `DetectionEngine.inputs()`. */
  private inputs: () => ReadonlyArray<{
    detector: string;
    input: string;
    watermark: number | null;
    events: number;
    late: number;
  }> = () => [];

  readonly inputWatermark = new Gauge({
    name: 'aidwatch_input_watermark_seconds',
    help: 'Newest event time delivered by each detection input (CloudEvents source), Unix seconds.',
    labelNames: ['detector', 'input'] as const,
    registers: [this.registry],
    collect: () => {
      this.inputWatermark.reset();
      for (const i of this.inputs())
        if (i.watermark !== null)
          this.inputWatermark.set({ detector: i.detector, input: i.input }, i.watermark / 1000);
    },
  });

  readonly inputLateEvents = new Gauge({
    name: 'aidwatch_input_late_events',
    help: "Events of each detection input that came older than the input's watermark minus the allowed lateness (stored and judged on their subject's own timeline).",
    labelNames: ['detector', 'input'] as const,
    registers: [this.registry],
    collect: () => {
      this.inputLateEvents.reset();
      for (const i of this.inputs())
        this.inputLateEvents.set({ detector: i.detector, input: i.input }, i.late);
    },
  });

  /** Lets the per-input gauges read the detection engine's input clocks. */
  watchInputs(provider: typeof this.inputs): void {
    this.inputs = provider;
  }

  /** Set by the detector: late AIS fixes by outcome; undefined: no detector here. */
  private lateAis: () => Record<string, number> | undefined = () => undefined;

  readonly lateAisFixes = new Gauge({
    name: 'aidwatch_ais_late_fixes',
    help:
      "AIS fixes older than their vessel's newest, by outcome: merged (within the late tolerance), dropped (seen by the AIS-gap rule only), " +
      'inGap (split a flagged silence), beyondHorizon (slow samples whose partner samples were past the encounter late-track horizon).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
    collect: () => {
      this.lateAisFixes.reset();
      const counts = this.lateAis();
      if (counts) for (const [outcome, n] of Object.entries(counts)) this.lateAisFixes.set({ outcome }, n);
    },
  });

  watchLateAis(provider: () => Record<string, number>): void {
    this.lateAis = provider;
  }

  /** Set by the detector from `DiversionDetector.unregisteredConsignments()`; undefined: no detector here. */
  private unregistered: () => number | undefined = () => undefined;

  readonly consignmentsUnregistered = new Gauge({
    name: 'aidwatch_consignments_unregistered',
    help: 'Consignments with events but no registration yet: held by detection until it arrives, shown as unregistered.',
    registers: [this.registry],
    collect: () => {
      const count = this.unregistered();
      if (count !== undefined) this.consignmentsUnregistered.set(count);
    },
  });

  /** Lets the unregistered-consignments gauge read the detection engine. */
  watchUnregistered(provider: () => number): void {
    this.unregistered = provider;
  }

  readonly aisLines = new Counter({
    name: 'aidwatch_ais_lines_total',
    help: 'NMEA lines of AIS feeds that gave no event, by outcome: rejected (undecodable), skipped (other NMEA, unused AIS types, duplicates across stations), pending (fragments waiting), expired (multipart messages whose fragments never all came).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly aisListenerDatagrams = new Counter({
    name: 'aidwatch_ais_listener_datagrams_total',
    help: 'UDP datagrams and TCP reads of the AIS listeners (AIS_UDP_PORT, AIS_TCP_SOURCES), by transport, station and outcome: accepted (passed to the NMEA decoder), unknown_sender (a UDP sender no station is configured for: dropped), overflow (the backlog was full: dropped, data lost), too_long (a TCP line over 1024 bytes: dropped).',
    labelNames: ['transport', 'station', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly aisListenerLines = new Counter({
    name: 'aidwatch_ais_listener_lines_total',
    help: 'NMEA lines the AIS listeners passed to the decoder, by transport and station (rate() of it is the feed rate).',
    labelNames: ['transport', 'station'] as const,
    registers: [this.registry],
  });

  readonly aisListenerConnected = new Gauge({
    name: 'aidwatch_ais_listener_connected',
    help: 'Whether the AIS TCP source is connected (1) or waiting to reconnect (0), by station.',
    labelNames: ['station'] as const,
    registers: [this.registry],
  });

  readonly aisListenerReconnects = new Counter({
    name: 'aidwatch_ais_listener_reconnects_total',
    help: 'Connection attempts to AIS TCP sources after the first, by station.',
    labelNames: ['station'] as const,
    registers: [this.registry],
  });

  readonly aisListenerReceiveErrors = new Gauge({
    name: 'aidwatch_ais_listener_udp_receive_errors',
    help: "The host's UDP datagrams dropped for a full receive buffer since boot (Linux /proc/net/snmp Udp RcvbufErrors; all UDP sockets of the host): loss before AidWatch could read them.",
    registers: [this.registry],
  });

  readonly sanctionsImports = new Counter({
    name: 'aidwatch_sanctions_imports_total',
    help: 'Scheduled reads of the sanctions lists of SANCTIONS_SOURCES, by list and outcome: changed (events appended), unchanged (nothing to append), failed (unreadable, not a list, refused).',
    labelNames: ['list', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly appends = new Counter({
    name: 'aidwatch_store_appends_total',
    help: 'Events written to the event store (new events only; idempotent repeats are counted apart).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly appendSeconds = new Histogram({
    name: 'aidwatch_store_append_seconds',
    help: 'Duration of event store appends.',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'aidwatch_projection_lag_seconds',
    help: 'Seconds between the store recording the newest event a projection has processed and now; 0 when caught up.',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionEvents = new Counter({
    name: 'aidwatch_projection_events_total',
    help: 'Events processed by a projection.',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly flagsRaised = new Counter({
    name: 'aidwatch_flags_raised_total',
    help: 'Risk flags raised, per rule and severity.',
    labelNames: ['rule', 'severity'] as const,
    registers: [this.registry],
  });

  readonly flagsCleared = new Counter({
    name: 'aidwatch_flags_cleared_total',
    help: 'Risk flags cleared, per rule.',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  readonly positionsArchived = new Counter({
    name: 'aidwatch_positions_archived_total',
    help: 'Raw AIS positions moved from the event store into archive files by retention (AIS_RETENTION_DAYS), counted when their rows are deleted.',
    registers: [this.registry],
  });

  readonly detectorActive = new Gauge({
    name: 'aidwatch_detector_active',
    help: '1 while this detector holds the detector lease and works, 0 while it stands by (EVENT_STORE=postgres; always 1 on the embedded store).',
    registers: [this.registry],
  });

  readonly detectorLeaseGeneration = new Gauge({
    name: 'aidwatch_detector_lease_generation',
    help: 'Generation of the detector lease as this detector last saw it: it rises at every takeover.',
    registers: [this.registry],
  });

  readonly alertSubscribers = new Gauge({
    name: 'aidwatch_alert_stream_subscribers',
    help: 'Open Server-Sent Events alert streams.',
    registers: [this.registry],
  });

  readonly sseClientsDropped = new Counter({
    name: 'aidwatch_alert_stream_dropped_total',
    help: 'Alert streams closed because the client did not read fast enough (it may resume with Last-Event-ID).',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
