export * as apps from './app-registrations.js';
export * as audit from './audit.js';
export type { Db } from './db.js';
export * as schedules from './schedules.js';
export * as definitions from './task-definitions.js';
export * as executions from './task-executions.js';
