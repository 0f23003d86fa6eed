import { fileURLToPath } from 'node:url';
import { apps, definitions, type PrismaClient } from '@batchyard/db';
import type { Logger } from 'pino';

/** The sample task the quick start launches: the worker runtime's settlement job. */
export const SAMPLE_APP = {
  type: 'task' as const,
  name: 'settlement',
  version: '1.0',
  uri: 'docker:batchyard/worker-sample:1.0',
};
export const SAMPLE_TASK = { name: 'settlement-demo', dsl: 'settlement --chunkSize=100' };
/** The same app's remote-partition job: each id range runs as its own execution (README "Remote partitions"). */
export const PARTITIONED_TASK = {
  name: 'partitioned-demo',
  dsl: 'settlement --job=partitioned --chunkSize=100 --partitions=4',
};

const SAMPLE_ENTRY = fileURLToPath(new URL('../../sample-task/dist/main.js', import.meta.url));

/** Registers the sample app and task once; never overwrites what a user changed. */
export async function registerSamples(prisma: PrismaClient, logger: Logger): Promise<void> {
  const existing = await apps.appVersions(prisma, SAMPLE_APP.type, SAMPLE_APP.name);
  if (existing.length === 0) {
    await apps.upsertApp(prisma, { ...SAMPLE_APP, command: ['node', SAMPLE_ENTRY], isDefault: true });
    logger.info({ app: SAMPLE_APP.name }, 'registered the sample app');
  }
  if (!(await definitions.findDefinition(prisma, SAMPLE_TASK.name))) {
    await definitions.insertDefinition(prisma, {
      name: SAMPLE_TASK.name,
      dslText: SAMPLE_TASK.dsl,
      description:
        'Sample settlement job (worker runtime): reads transactions, skips bad lines, upserts totals',
      composed: false,
    });
    logger.info({ task: SAMPLE_TASK.name }, 'registered the sample task definition');
  }
  if (!(await definitions.findDefinition(prisma, PARTITIONED_TASK.name))) {
    await definitions.insertDefinition(prisma, {
      name: PARTITIONED_TASK.name,
      dslText: PARTITIONED_TASK.dsl,
      description:
        'Sample partitioned job: the settlement data split by id range, one execution per partition',
      composed: false,
    });
    logger.info({ task: PARTITIONED_TASK.name }, 'registered the sample task definition');
  }
}
