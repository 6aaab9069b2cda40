export * from './metrics';
export * from './logger';
export * from './nest-logger';
