export * from './samples';
export * from './superseded-events';
