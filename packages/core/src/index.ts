export * from './api/apps.js';
export * from './api/common.js';
export * from './api/definitions.js';
export * from './app-import.js';
export * from './errors.js';
export * from './names.js';
export * from './paging.js';
