export { configSchema, type Config, type ScanLimits } from './schema.js';
export { loadConfig, type LoadConfigInput } from './load.js';
