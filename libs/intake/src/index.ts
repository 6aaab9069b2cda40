export * from './event-intake';
export * from './nmea-intake';
export * from './future-dated';
export * from './field-submission';
export * from './field-submission-mapping';
export * from './sanctions-import';
export * from './ais-socket-listeners';
export * from './sanctions-sources';
