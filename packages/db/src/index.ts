export * from './client.js';
export * from './embedded.js';
export type { AppType, Prisma } from './generated/prisma/client.js';
export * from './migrator.js';
export * from './repositories/index.js';
export * from './spring-prefix.js';
export { type Sql, type Statement, sqlOf } from './sql.js';
