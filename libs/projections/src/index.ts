export * from './projection';
export * from './checkpoint-store';
export * from './sqlite-checkpoint-store';
export * from './postgres-checkpoint-store';
export * from './projection-runner';
export * from './leased-checkpoint-writer';
export * from './flag-events';
export * from './flags-read-model';
export * from './detection.projection';
export * from './vessel-history';
export * from './read-model.projection';
export * from './consignment/consignment.read-model';
export * from './alert-book.projection';
export {
  MAX_TRACK_POINTS,
  vesselPositionAt,
  vesselStreamSummary,
  vesselNameAt,
  type VesselName,
  type VesselStreamSummary,
} from './vessel-position.lookup';
export * from './tenant-usage';
