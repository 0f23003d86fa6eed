export * as apps from './app-registrations.js';
export * as audit from './audit.js';
export * as batch from './batch.js';
export type { Db } from './db.js';
export * as monitoring from './monitoring.js';
export * as schedules from './schedules.js';
export * as definitions from './task-definitions.js';
export * as executions from './task-executions.js';
