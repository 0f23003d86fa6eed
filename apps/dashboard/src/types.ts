// The API's types, from the one zod contract in @batchyard/core (types only: nothing of zod is bundled).
export type {
  AppRegistration,
  BatchStatus,
  CreateScheduleBody,
  DashboardEvent,
  GraphBody,
  JobExecution,
  JobExecutionDetail,
  LaunchBody,
  LaunchPreview,
  Page,
  ParseTaskTextResponse,
  Schedule,
  ScheduleDetail,
  ScheduleListItem,
  StepExecution,
  StepExecutionHistory,
  StepProgress,
  TaskDefinition,
  TaskDefinitionWithStatus,
  TaskExecution,
  TaskStatus,
} from '@batchyard/core';

export interface ErrorBody {
  error: string;
  message: string;
  details: { path: string; message: string }[];
}

/** GET /about. */
export interface About {
  name: string;
  version: string;
  features: Record<string, boolean>;
  database: { embedded: boolean };
  platforms: { name: string; type: string }[];
  security: { authenticationEnabled: boolean; methods: string[] };
  links: { grafana: string | null };
  caller: { name: string; kind: string; roles: string[] };
}

/** GET /tasks/executions/current. */
export interface PlatformLoad {
  name: string;
  type: string;
  maximumTaskExecutions: number;
  runningExecutionCount: number;
  queuedExecutionCount: number;
}

export interface Revision {
  version: number;
  definition: string;
  description: string | null;
  createdAt: string;
  supersededAt: string;
}
