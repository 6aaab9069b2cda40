import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { AisTcpSourceClient, AisUdpListener, EventIntake, type NmeaSink } from '@aidwatch/intake';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { APP_CONFIG, LOGGER } from '@aidwatch/runtime';

/**
 * The AIS receivers' feeds over UDP (`AIS_UDP_PORT`, `AIS_UDP_STATIONS`) and TCP (`AIS_TCP_SOURCES`), read
 * through the intake's NMEA path as `POST /ais/nmea` is: events with source `nmea:<station>`.
 */
@Injectable()
export class AisListenersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private udp: AisUdpListener | undefined;
  private readonly tcp: AisTcpSourceClient[] = [];
  /** The UDP port bound (the configured one, or the one picked for port 0). */
  udpPort: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly intake: EventIntake,
    private readonly metrics: AidwatchMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { aisUdp, aisTcp, aisTcpReconnectMaxMs } = this.config.intake;
    const log = this.logger.child({ component: 'ais-listeners' });
    const sinkOf =
      (channel: 'udp' | 'tcp'): NmeaSink =>
      (text, receivedAtMs, station) =>
        this.intake.ingestNmeaText(text, receivedAtMs, station, undefined, { channel });
    if (aisUdp) {
      this.udp = new AisUdpListener({ ...aisUdp, sink: sinkOf('udp'), metrics: this.metrics, log });
      this.udpPort = await this.udp.start();
    }
    for (const source of aisTcp) {
      const client = new AisTcpSourceClient({
        ...source,
        sink: sinkOf('tcp'),
        metrics: this.metrics,
        log,
        reconnectMaxMs: aisTcpReconnectMaxMs,
      });
      client.start();
      this.tcp.push(client);
    }
  }

  /** Resolves once everything the listeners read so far is stored. */
  async idle(): Promise<void> {
    await Promise.all([this.udp?.idle(), ...this.tcp.map((c) => c.idle())]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.udp?.close(), ...this.tcp.map((c) => c.close())]);
  }
}
