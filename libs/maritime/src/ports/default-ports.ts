import { EventTypes, type PortDeclared, type PortDeclaredData } from '@aidwatch/domain';
import { v5 as uuidv5 } from 'uuid';
import portList from './demo-region-ports.json';

/** Fixed for good: port declarations keep their ids from one seeding to the next. */
export const PortEventIdNamespace = '0d7f3c52-95a4-4e08-b1f6-3a9e6c2b7d14';

export const DEFAULT_PORTS_SOURCE = 'urn:aidwatch:reference:default-ports';
/**
 * Event time of every declaration: the list's edition. Fixed, so that a declaration's id (derived from the
 * port's content) always stands for the same event: the demo, the simulator and any other seeder send
 * byte-identical declarations, and a second seeding in any order is an idempotent repeat, never a 409.
 */
export const DEFAULT_PORTS_EDITION = '2026-01-01T00:00:00Z';

/** The demo region's ports and anchorages (see SOURCES.md for where the points come from). */
export function defaultPorts(): PortDeclaredData[] {
  return (portList as PortDeclaredData[]).map((p) => ({ ...p }));
}

export interface PortDeclarationOptions {
  /** The ports to declare (default: {@link defaultPorts}). */
  ports?: readonly PortDeclaredData[];
}

/**
 * `aidwatch.port.declared.v1` events for seeding, source {@link DEFAULT_PORTS_SOURCE}, time
 * {@link DEFAULT_PORTS_EDITION}. The id depends on the port's content only and every other field is fixed, so
 * the same id always carries the same event: seeding twice, or from two tools, is idempotent, and a moved or
 * resized port is a new declaration.
 */
export function portDeclaredEvents(options: PortDeclarationOptions = {}): PortDeclared[] {
  const time = DEFAULT_PORTS_EDITION;
  return (options.ports ?? defaultPorts()).map((port) => ({
    specversion: '1.0',
    id: uuidv5(
      JSON.stringify([port.locode, port.name, port.lat, port.lon, port.radiusKm]),
      PortEventIdNamespace,
    ),
    source: DEFAULT_PORTS_SOURCE,
    type: EventTypes.PortDeclared,
    subject: port.locode,
    time,
    datacontenttype: 'application/json',
    data: { ...port },
  }));
}
