import { EventTypes, type PortDeclared, type PortDeclaredData } from '@aidwatch/domain';
import { v5 as uuidv5 } from 'uuid';
import portList from './demo-region-ports.json';

/** Fixed for good: port declarations keep their ids from one seeding to the next. */
export const PortEventIdNamespace = '0d7f3c52-95a4-4e08-b1f6-3a9e6c2b7d14';

export const DEFAULT_PORTS_SOURCE = 'urn:aidwatch:reference:default-ports';
/** Event time of the declarations unless the caller gives one (the list's edition). */
export const DEFAULT_PORTS_EDITION = '2026-01-01T00:00:00Z';

/** The demo region's ports and anchorages (see SOURCES.md for where the points come from). */
export function defaultPorts(): PortDeclaredData[] {
  return (portList as PortDeclaredData[]).map((p) => ({ ...p }));
}

export interface PortDeclarationOptions {
  time?: string;
  source?: string;
  ports?: readonly PortDeclaredData[];
}

/**
 * `aidwatch.port.declared.v1` events for seeding. The id depends on the port's content only, so seeding twice
 * is idempotent and a moved or resized port is a new declaration.
 */
export function portDeclaredEvents(options: PortDeclarationOptions = {}): PortDeclared[] {
  const time = options.time ?? DEFAULT_PORTS_EDITION;
  return (options.ports ?? defaultPorts()).map((port) => ({
    specversion: '1.0',
    id: uuidv5(
      JSON.stringify([port.locode, port.name, port.lat, port.lon, port.radiusKm]),
      PortEventIdNamespace,
    ),
    source: options.source ?? DEFAULT_PORTS_SOURCE,
    type: EventTypes.PortDeclared,
    subject: port.locode,
    time,
    datacontenttype: 'application/json',
    data: { ...port },
  }));
}
