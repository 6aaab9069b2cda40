/**
 * Default HTTP ports of the separate services, so the three start on one machine without setting PORT
 * (README "Production"); PORT still overrides. The all-in-one process keeps 3000, as the API does.
 */
export const SERVICE_PORTS = { api: 3000, ingestor: 3001, detector: 3002 } as const;
