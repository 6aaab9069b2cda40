export * from './event-intake';
export * from './nmea-intake';
export * from './future-dated';
