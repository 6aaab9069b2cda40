export { flagOfMmsi, midFlagStates, midOfMmsi } from '@aidwatch/domain';
export * from './nmea/nmea-sentence';
export * from './nmea/ais-payload.decoder';
export * from './nmea/nmea.decoder';
export * from './nmea/nmea-to-cloudevent';
export * from './nmea/ais.encoder';
export * from './ports/default-ports';
export {
  simulateTraffic,
  SIMULATOR_SOURCE,
  SimulatorEventIdNamespace,
  VESSELS_PER_ANOMALY_SET,
} from './simulator/traffic-simulator';
export type { TrafficOptions, TrafficSimulation } from './simulator/traffic-simulator';
export type { AnomalyRule, PlantedAnomaly } from './simulator/planted-anomalies';
export type { VesselPlan, VesselRole } from './simulator/vessel-plan';
export { classAReportingIntervalMs, STATIC_REPORT_INTERVAL_MS, NavStatus } from './simulator/ais-reporting';
export { SeaLanes, type LonLat } from './simulator/sea-lanes';
export { Prng } from './simulator/prng';
