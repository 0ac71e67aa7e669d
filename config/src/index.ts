export { loadConfig, type AppConfig } from './config.ts';
