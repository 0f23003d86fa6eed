export * from './context.js';
export * from './contract.js';
export * from './datasource.js';
export * from './parameters.js';
export * from './prefix.js';
