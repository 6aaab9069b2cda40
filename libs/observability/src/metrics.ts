import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One detection input's clock, as `DetectionEngine.inputs()` reports it (watermark: Unix ms, or null). */
export interface InputClock {
  detector: string;
  input: string;
  watermark: number | null;
  events: number;
  late: number;
}

/**
 * Most `input` label values per detector on the per-input gauges. Inputs are CloudEvents sources and AIS
 * stations, chosen by producers: unbounded on Kafka. The busiest keep their own series; the rest fold into
 * `input="other"` (Prometheus naming practice: label values must come from a bounded set).
 */
export const MAX_INPUT_SERIES = 20;

/** The label value the inputs beyond MAX_INPUT_SERIES fold into. */
export const OTHER_INPUT = 'other';

/**
 * The inputs as the gauges label them: per detector, the `max` inputs with the most events (ties by name)
 * as they are, the rest folded into one `input="other"` whose watermark is the oldest of theirs (the one
 * furthest behind, what a lag alert needs; null only when none has one) and whose events and late events are
 * their sums. An input really named "other" folds in too. Output: at most `max + 1` inputs per detector.
 */
export function boundedInputs(inputs: readonly InputClock[], max = MAX_INPUT_SERIES): InputClock[] {
  const byDetector = new Map<string, InputClock[]>();
  for (const i of inputs) byDetector.set(i.detector, [...(byDetector.get(i.detector) ?? []), i]);
  const out: InputClock[] = [];
  for (const [detector, list] of byDetector) {
    const ranked = list
      .filter((i) => i.input !== OTHER_INPUT)
      .sort((a, b) => b.events - a.events || (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
    out.push(...ranked.slice(0, max));
    const folded = [...ranked.slice(max), ...list.filter((i) => i.input === OTHER_INPUT)];
    if (folded.length === 0) continue;
    const watermarks = folded.map((i) => i.watermark).filter((w): w is number => w !== null);
    out.push({
      detector,
      input: OTHER_INPUT,
      watermark: watermarks.length > 0 ? Math.min(...watermarks) : null,
      events: folded.reduce((sum, i) => sum + i.events, 0),
      late: folded.reduce((sum, i) => sum + i.late, 0),
    });
  }
  return out;
}

/**
 * prom-client's default gauges whose names end in `_total`, which the exposition format keeps for counters:
 * `promtool check metrics` refuses them. Their values are the sums of `nodejs_active_handles`,
 * `nodejs_active_requests` and `nodejs_active_resources` (labelled by type), which stay.
 */
export const DEFAULT_METRICS_LEFT_OUT = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** Webhook delivery statuses, as the webhook store counts them. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

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
  private inputs: () => ReadonlyArray<InputClock> = () => [];

  readonly inputWatermark = new Gauge({
    name: 'aidwatch_input_watermark_seconds',
    help: 'Newest event time delivered by each detection input (CloudEvents source or AIS station), Unix seconds; beyond the 20 busiest inputs per detector, input="other" holds the oldest of the rest.',
    labelNames: ['detector', 'input'] as const,
    registers: [this.registry],
    collect: () => {
      this.inputWatermark.reset();
      for (const i of boundedInputs(this.inputs()))
        if (i.watermark !== null)
          this.inputWatermark.set({ detector: i.detector, input: i.input }, i.watermark / 1000);
    },
  });

  readonly inputLateEvents = new Gauge({
    name: 'aidwatch_input_late_events',
    help: 'Events of each detection input that came older than the input\'s watermark minus the allowed lateness (stored and judged on their subject\'s own timeline); inputs beyond the 20 busiest per detector are summed under input="other".',
    labelNames: ['detector', 'input'] as const,
    registers: [this.registry],
    collect: () => {
      this.inputLateEvents.reset();
      for (const i of boundedInputs(this.inputs()))
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
      'inGap (split a flagged silence), beyondHorizon (slow samples that came more than the encounter late-track horizon behind the newest: partner samples of that time may be gone).',
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

  /** Set by the detector: corridor replays for late paperwork by count; undefined: no detector here. */
  private routeReplays: () => Record<string, number> | undefined = () => undefined;

  readonly routeReplaysGauge = new Gauge({
    name: 'aidwatch_route_replays',
    help:
      "Route-deviation corridors judged again because paperwork arrived after the carrier's positions (time model 9): " +
      'replays, samples (judged again), truncated (positions beyond the replay horizon or report limit not judged again).',
    labelNames: ['count'] as const,
    registers: [this.registry],
    collect: () => {
      this.routeReplaysGauge.reset();
      const counts = this.routeReplays();
      if (counts) for (const [count, n] of Object.entries(counts)) this.routeReplaysGauge.set({ count }, n);
    },
  });

  watchRouteReplays(provider: () => Record<string, number>): void {
    this.routeReplays = provider;
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
    help: 'NMEA lines of AIS feeds, by outcome: accepted (decoded reports appended via HTTP, UDP or TCP), rejected (undecodable), skipped (other NMEA, unused AIS types, duplicates across stations), pending (fragments waiting), expired (multipart messages whose fragments never all came).',
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

  /** Projections whose lag is measured at each scrape: name → the age of its oldest unprocessed event. */
  private readonly lagSources = new Map<string, () => Promise<number>>();

  readonly projectionLag = new Gauge({
    name: 'aidwatch_projection_lag_seconds',
    help: 'Seconds between the store recording the oldest event a projection has not processed yet and now, measured at each scrape; 0 when caught up. Only projections this process runs now (a standing-by detector exports none).',
    labelNames: ['projection'] as const,
    registers: [this.registry],
    collect: async () => {
      await Promise.all(
        [...this.lagSources].map(async ([projection, lag]) => {
          try {
            this.projectionLag.set({ projection }, await lag());
          } catch {
            // The store is unreachable: the series keeps its last value (an alert holds, it does not clear).
          }
        }),
      );
    },
  });

  /**
   * Measures `projection`'s lag at every scrape (`aidwatch_projection_lag_seconds{projection}`) until the
   * returned function is called, which also removes the series (a detector standing by, a read model
   * switched to a new version).
   */
  watchProjectionLag(projection: string, lagSeconds: () => Promise<number>): () => void {
    this.lagSources.set(projection, lagSeconds);
    return () => {
      if (this.lagSources.get(projection) !== lagSeconds) return;
      this.lagSources.delete(projection);
      this.projectionLag.remove({ projection });
    };
  }

  readonly kafkaConsumerLag = new Gauge({
    name: 'aidwatch_kafka_consumer_lag_records',
    help: "Records on an inbound Kafka partition after the last one this ingestor stored, as the partition's high watermark stood when that batch was fetched; only the partitions assigned to this member (a rebalance removes the others). A consumer that stops fetching keeps its last value: alert on it with the ingest rate.",
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly kafkaCaughtUpMarkers = new Counter({
    name: 'aidwatch_kafka_caught_up_markers_total',
    help: 'Caught-up markers this ingestor stored for an inbound Kafka partition (every record up to its end offset stored, none new for the quiet period; docs/time-model.md 5).',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly inputQuietMarkers = new Counter({
    name: 'aidwatch_input_quiet_markers_total',
    help: 'Quiet markers of AIS sources heard over HTTP, UDP or TCP (nothing sent for HTTP_INPUT_QUIET_MS; docs/time-model.md 7), by outcome: written, failed (the append failed; not retried).',
    labelNames: ['outcome'] as const,
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

  private detectorGauges?: { active: Gauge; generation: Gauge };

  /**
   * The detector's gauges, registered on first use: only a process running a detector exports them (an
   * ingestor or API exporting `aidwatch_detector_active 0` would read as a detector standing by).
   */
  private get detector(): { active: Gauge; generation: Gauge } {
    return (this.detectorGauges ??= {
      active: new Gauge({
        name: 'aidwatch_detector_active',
        help: '1 while this detector holds the detector lease and works, 0 while it stands by (EVENT_STORE=postgres; always 1 on the embedded store).',
        registers: [this.registry],
      }),
      generation: new Gauge({
        name: 'aidwatch_detector_lease_generation',
        help: 'Generation of the detector lease as this detector last saw it: it rises at every takeover.',
        registers: [this.registry],
      }),
    });
  }

  get detectorActive(): Gauge {
    return this.detector.active;
  }

  get detectorLeaseGeneration(): Gauge {
    return this.detector.generation;
  }

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

  /** Set by the API from its alert book: each alert's status and severity; undefined: no alerts here. */
  private alertStates: () => ReadonlyArray<{ status: string; severity: string }> | undefined = () =>
    undefined;

  readonly alerts = new Gauge({
    name: 'aidwatch_alerts',
    help: 'Alerts (one per problem) by status (firing, acknowledged, resolved) and severity (low, medium, high, critical).',
    labelNames: ['status', 'severity'] as const,
    registers: [this.registry],
    collect: () => {
      const states = this.alertStates();
      if (states === undefined) return;
      this.alerts.reset();
      for (const status of ['firing', 'acknowledged', 'resolved'])
        for (const severity of ['low', 'medium', 'high', 'critical'])
          this.alerts.set({ status, severity }, 0);
      for (const a of states) this.alerts.inc({ status: a.status, severity: a.severity });
    },
  });

  /** Lets the alerts gauge read the API's alert book. */
  watchAlerts(provider: () => ReadonlyArray<{ status: string; severity: string }>): void {
    this.alertStates = provider;
  }

  readonly webhookAttempts = new Counter({
    name: 'aidwatch_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome: delivered (2xx), retry (failed, another attempt scheduled), dead (failed, attempts exhausted: WEBHOOK_MAX_ATTEMPTS).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Set by the webhook service from its store; undefined: no webhooks in this process. */
  private webhookStatuses: () => Partial<Record<WebhookDeliveryStatus, number>> | undefined = () => undefined;

  readonly webhookDeliveries = new Gauge({
    name: 'aidwatch_webhook_deliveries',
    help: 'Webhook deliveries in the store, by status: pending (due or waiting to retry), delivered, dead (replayable with POST /subscriptions/:id/replay).',
    labelNames: ['status'] as const,
    registers: [this.registry],
    collect: () => {
      const counts = this.webhookStatuses();
      if (counts === undefined) return;
      for (const status of ['pending', 'delivered', 'dead'] as const)
        this.webhookDeliveries.set({ status }, counts[status] ?? 0);
    },
  });

  /** Lets the webhook deliveries gauge read the webhook store. */
  watchWebhookDeliveries(provider: () => Partial<Record<WebhookDeliveryStatus, number>>): void {
    this.webhookStatuses = provider;
  }

  readonly chainVerifications = new Counter({
    name: 'aidwatch_audit_verifications_total',
    help: 'Hash chain and checkpoint verifications of the whole store (GET /audit/verify), by result: intact or broken.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /**
   * Registered at the first verification, so the series is absent until one ran: a gauge without labels
   * would read 0 (broken) from start-up on and fire AidwatchAuditChainBroken on every instance.
   */
  private chainIntact?: Gauge;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of DEFAULT_METRICS_LEFT_OUT) this.registry.removeSingleMetric(name);
    }
  }

  /** Records the result of a verification of the whole store. */
  verified(intact: boolean): void {
    this.chainVerifications.inc({ result: intact ? 'intact' : 'broken' });
    this.chainIntact ??= new Gauge({
      name: 'aidwatch_audit_chain_intact',
      help: 'Result of the latest verification of the whole store in this process: 1 intact, 0 a broken link (docs/audit.md); absent until one ran.',
      registers: [this.registry],
    });
    this.chainIntact.set(intact ? 1 : 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
