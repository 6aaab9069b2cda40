export * from './projection';
export * from './checkpoint-store';
export * from './projection-runner';
export * from './flag-events';
export * from './flags-read-model';
export * from './detection.projection';
export * from './read-model.projection';
export * from './consignment/consignment.read-model';
