export * from './tokens';
export * from './core.module';
export * from './health.registry';
export * from './bootstrap';
export * from './http/observability-http.module';
export * from './http/http-errors';
export * from './http/configure-http';
export * from './http/openapi';
