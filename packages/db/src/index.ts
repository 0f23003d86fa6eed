export * from './client.js';
export * from './embedded.js';
export * from './migrator.js';
