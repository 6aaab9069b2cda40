export * from './audit-story';
