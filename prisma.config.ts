// Prisma CLI configuration. The server does not need it at run time: it applies
// prisma/migrations itself (packages/db/src/migrator.ts). `prisma migrate deploy` also works
// against the same folder where Prisma's schema engine is available.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/batchyard' },
});
