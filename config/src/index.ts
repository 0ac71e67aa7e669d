export { type AppConfig, loadConfig } from './config.ts';
