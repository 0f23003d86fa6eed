import { z } from 'zod';
import { APP_NAME_RULES, nameProblem } from '../names.js';
import { PageQuery, pageOf } from '../paging.js';
import { Timestamp } from './common.js';

export const AppType = z
  .enum(['task', 'app'])
  .describe('Application type (SCDF: task; app for other kinds).');
export type AppType = z.infer<typeof AppType>;

export const AppName = z
  .string()
  .superRefine((v, ctx) => {
    const problem = nameProblem(v, APP_NAME_RULES);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Lowercase DNS-1123 label, at most 63 characters.');

export const AppVersion = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be letters, digits, ".", "_", "+" or "-"');

/** `docker:repo/image:tag`, `docker://…`, `file:…`, `local:…`, `maven://…` (SCDF's URI forms). */
export const AppUri = z
  .string()
  .min(1)
  .max(2048)
  .regex(
    /^(docker|file|local|maven|https?):\S+$/,
    'must be a URI such as docker:repo/image:tag or local:/path',
  );

export const AppParams = z.object({ type: AppType, name: AppName, version: AppVersion });
export const AppNameParams = z.object({ type: AppType, name: AppName });

export const RegisterAppBody = z
  .object({
    uri: AppUri,
    metadataUri: AppUri.optional(),
    command: z
      .array(z.string().max(4096))
      .min(1)
      .max(256)
      .optional()
      .describe('Local-platform command (argv) that runs this app, e.g. ["node", "dist/main.js"].'),
    springContract: z
      .boolean()
      .optional()
      .describe(
        "Launch with Spring Cloud Task's contract (--spring.cloud.task.executionid, SPRING_DATASOURCE_*); default true, false for images that are not Spring apps.",
      ),
    force: z.boolean().default(false).describe('Replace an existing registration of the same version.'),
    makeDefault: z.boolean().optional().describe('Make this the default version (the first one always is).'),
  })
  .strict();
export type RegisterAppBody = z.infer<typeof RegisterAppBody>;

export const AppRegistrationSchema = z
  .object({
    type: AppType,
    name: z.string(),
    version: z.string(),
    uri: z.string(),
    metadataUri: z.string().nullable(),
    command: z.array(z.string()).nullable(),
    springContract: z.boolean().describe("Launches get Spring Cloud Task's contract."),
    defaultVersion: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'AppRegistration' });
export type AppRegistration = z.infer<typeof AppRegistrationSchema>;

export const AppOptionSchema = z
  .object({
    name: z.string(),
    type: z.string().nullable(),
    description: z.string().nullable(),
    defaultValue: z.unknown(),
    sourceType: z.string().nullable(),
  })
  .meta({ id: 'AppOption' });
export type AppOption = z.infer<typeof AppOptionSchema>;

export const AppDetailSchema = AppRegistrationSchema.extend({
  versions: z.array(z.string()).describe('All registered versions of this app.'),
  options: z
    .array(AppOptionSchema)
    .optional()
    .describe(
      "The app's options from META-INF/spring-configuration-metadata.json in its metadataUri or uri jar (file: or maven://); absent when neither is a readable jar.",
    ),
}).meta({ id: 'AppDetail' });

export const ListAppsQuery = PageQuery.extend({
  type: AppType.optional(),
  search: z.string().max(255).optional().describe('Only apps whose name contains this text.'),
  defaultOnly: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type ListAppsQuery = z.infer<typeof ListAppsQuery>;

export const AppPage = pageOf(AppRegistrationSchema).meta({ id: 'AppPage' });

export const ImportAppsBody = z
  .object({
    properties: z
      .string()
      .min(1)
      .max(1_000_000)
      .describe('SCDF bulk-import properties: `task.name=docker:image:tag`, `task.name.metadata=…`.'),
    force: z.boolean().default(false),
  })
  .strict();

export const ImportAppsResult = z.object({
  registered: z.array(AppRegistrationSchema),
  skipped: z.array(z.object({ type: AppType, name: z.string(), version: z.string(), reason: z.string() })),
});
