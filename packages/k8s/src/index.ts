export * from './cronjob-builder.js';
export { DEPLOYER_PROPERTY_KEYS, type KeySpec } from './deployer-keys.js';
export * from './deployer-properties.js';
export * from './deployer-types.js';
export * from './job-builder.js';
export * from './labels.js';
export * from './names.js';
export * from './quantity.js';
export * from './sanitize.js';
