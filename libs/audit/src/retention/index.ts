export * from './retention-record';
export * from './position-selection';
export * from './archive-directory';
export * from './position-retention';
