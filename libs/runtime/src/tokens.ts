export const APP_CONFIG = Symbol('APP_CONFIG');
export const LOGGER = Symbol('LOGGER');
export { EVENT_STORE } from '@aidwatch/event-store';
