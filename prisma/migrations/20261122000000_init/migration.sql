-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "app_type" AS ENUM ('task', 'app');

-- CreateEnum
CREATE TYPE "task_execution_status" AS ENUM ('QUEUED', 'LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING', 'COMPLETE', 'FAILED', 'STOPPED', 'LOST');

-- CreateEnum
CREATE TYPE "concurrency_policy" AS ENUM ('Allow', 'Forbid', 'Replace');

-- CreateEnum
CREATE TYPE "batch_status" AS ENUM ('COMPLETED', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED', 'FAILED', 'ABANDONED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "job_parameter_type" AS ENUM ('STRING', 'NUMBER', 'DATE', 'BOOLEAN');

-- CreateTable
CREATE TABLE "app_registration" (
    "id" SERIAL NOT NULL,
    "type" "app_type" NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "uri" VARCHAR(2048) NOT NULL,
    "metadata_uri" VARCHAR(2048),
    "command" JSONB,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "app_registration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_definition" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "dsl_text" TEXT NOT NULL,
    "description" VARCHAR(1024),
    "composed" BOOLEAN NOT NULL DEFAULT false,
    "parent_name" VARCHAR(255),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_definition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_definition_revision" (
    "id" SERIAL NOT NULL,
    "definition_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "dsl_text" TEXT NOT NULL,
    "description" VARCHAR(1024),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "superseded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_definition_revision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_execution" (
    "id" SERIAL NOT NULL,
    "task_name" VARCHAR(255) NOT NULL,
    "status" "task_execution_status" NOT NULL DEFAULT 'LAUNCHING',
    "arguments" JSONB NOT NULL DEFAULT '[]',
    "properties" JSONB NOT NULL DEFAULT '{}',
    "manifest" JSONB,
    "platform_name" VARCHAR(255),
    "platform_type" VARCHAR(32),
    "external_execution_id" VARCHAR(255),
    "parent_execution_id" INTEGER,
    "schedule_name" VARCHAR(255),
    "exit_code" INTEGER,
    "exit_message" TEXT,
    "error_message" TEXT,
    "reason" VARCHAR(128),
    "log_tail" TEXT,
    "queued_at" TIMESTAMPTZ(3),
    "start_time" TIMESTAMPTZ(3),
    "end_time" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_execution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "task_definition_name" VARCHAR(255) NOT NULL,
    "cron" VARCHAR(255) NOT NULL,
    "time_zone" VARCHAR(64),
    "arguments" JSONB NOT NULL DEFAULT '[]',
    "properties" JSONB NOT NULL DEFAULT '{}',
    "platform_name" VARCHAR(255),
    "concurrency_policy" "concurrency_policy" NOT NULL DEFAULT 'Allow',
    "starting_deadline_seconds" INTEGER,
    "successful_jobs_history_limit" INTEGER,
    "failed_jobs_history_limit" INTEGER,
    "suspend" BOOLEAN NOT NULL DEFAULT false,
    "external_name" VARCHAR(255),
    "last_fire_time" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule_fire" (
    "schedule_id" INTEGER NOT NULL,
    "fire_time" TIMESTAMPTZ(3) NOT NULL,
    "task_execution_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedule_fire_pkey" PRIMARY KEY ("schedule_id","fire_time")
);

-- CreateTable
CREATE TABLE "audit_record" (
    "id" SERIAL NOT NULL,
    "operation" VARCHAR(64) NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "correlation_id" VARCHAR(255) NOT NULL,
    "data" JSONB,
    "platform_name" VARCHAR(255),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_instance" (
    "id" SERIAL NOT NULL,
    "job_name" VARCHAR(255) NOT NULL,
    "job_key" VARCHAR(64) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_execution" (
    "id" SERIAL NOT NULL,
    "job_instance_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "status" "batch_status" NOT NULL DEFAULT 'STARTING',
    "exit_code" VARCHAR(64) NOT NULL DEFAULT 'UNKNOWN',
    "exit_message" TEXT NOT NULL DEFAULT '',
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "start_time" TIMESTAMPTZ(3),
    "end_time" TIMESTAMPTZ(3),
    "last_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_execution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_execution_param" (
    "job_execution_id" INTEGER NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "type" "job_parameter_type" NOT NULL,
    "value" TEXT NOT NULL,
    "identifying" BOOLEAN NOT NULL,

    CONSTRAINT "job_execution_param_pkey" PRIMARY KEY ("job_execution_id","name")
);

-- CreateTable
CREATE TABLE "step_execution" (
    "id" SERIAL NOT NULL,
    "job_execution_id" INTEGER NOT NULL,
    "job_name" VARCHAR(255) NOT NULL,
    "step_name" VARCHAR(255) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "status" "batch_status" NOT NULL DEFAULT 'STARTING',
    "commit_count" INTEGER NOT NULL DEFAULT 0,
    "read_count" INTEGER NOT NULL DEFAULT 0,
    "filter_count" INTEGER NOT NULL DEFAULT 0,
    "write_count" INTEGER NOT NULL DEFAULT 0,
    "read_skip_count" INTEGER NOT NULL DEFAULT 0,
    "write_skip_count" INTEGER NOT NULL DEFAULT 0,
    "process_skip_count" INTEGER NOT NULL DEFAULT 0,
    "rollback_count" INTEGER NOT NULL DEFAULT 0,
    "exit_code" VARCHAR(64) NOT NULL DEFAULT 'EXECUTING',
    "exit_message" TEXT NOT NULL DEFAULT '',
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "start_time" TIMESTAMPTZ(3),
    "end_time" TIMESTAMPTZ(3),
    "last_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "step_execution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_execution_context" (
    "job_execution_id" INTEGER NOT NULL,
    "context" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "job_execution_context_pkey" PRIMARY KEY ("job_execution_id")
);

-- CreateTable
CREATE TABLE "step_execution_context" (
    "step_execution_id" INTEGER NOT NULL,
    "context" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "step_execution_context_pkey" PRIMARY KEY ("step_execution_id")
);

-- CreateTable
CREATE TABLE "task_batch" (
    "task_execution_id" INTEGER NOT NULL,
    "job_execution_id" INTEGER NOT NULL,

    CONSTRAINT "task_batch_pkey" PRIMARY KEY ("task_execution_id","job_execution_id")
);

-- CreateIndex
CREATE INDEX "app_registration_name_id_idx" ON "app_registration"("name", "id");

-- CreateIndex
CREATE UNIQUE INDEX "app_registration_type_name_version_key" ON "app_registration"("type", "name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "task_definition_name_key" ON "task_definition"("name");

-- CreateIndex
CREATE INDEX "task_definition_parent_name_idx" ON "task_definition"("parent_name");

-- CreateIndex
CREATE INDEX "task_definition_name_trgm_idx" ON "task_definition" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "task_definition_dsl_text_trgm_idx" ON "task_definition" USING GIN ("dsl_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "task_definition_description_trgm_idx" ON "task_definition" USING GIN ("description" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "task_definition_revision_definition_id_version_key" ON "task_definition_revision"("definition_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "task_execution_external_execution_id_key" ON "task_execution"("external_execution_id");

-- CreateIndex
CREATE INDEX "task_execution_task_name_id_idx" ON "task_execution"("task_name", "id" DESC);

-- CreateIndex
CREATE INDEX "task_execution_status_id_idx" ON "task_execution"("status", "id" DESC);

-- CreateIndex
CREATE INDEX "task_execution_platform_name_status_idx" ON "task_execution"("platform_name", "status");

-- CreateIndex
CREATE INDEX "task_execution_created_at_id_idx" ON "task_execution"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "task_execution_parent_execution_id_idx" ON "task_execution"("parent_execution_id");

-- CreateIndex
CREATE INDEX "task_execution_schedule_name_id_idx" ON "task_execution"("schedule_name", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "schedule_name_key" ON "schedule"("name");

-- CreateIndex
CREATE INDEX "schedule_task_definition_name_name_idx" ON "schedule"("task_definition_name", "name");

-- CreateIndex
CREATE INDEX "audit_record_created_at_id_idx" ON "audit_record"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_record_operation_action_id_idx" ON "audit_record"("operation", "action", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_record_correlation_id_idx" ON "audit_record"("correlation_id");

-- CreateIndex
CREATE INDEX "job_instance_job_name_id_idx" ON "job_instance"("job_name", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "job_instance_job_name_job_key_key" ON "job_instance"("job_name", "job_key");

-- CreateIndex
CREATE INDEX "job_execution_job_instance_id_id_idx" ON "job_execution"("job_instance_id", "id" DESC);

-- CreateIndex
CREATE INDEX "job_execution_status_id_idx" ON "job_execution"("status", "id" DESC);

-- CreateIndex
CREATE INDEX "job_execution_start_time_idx" ON "job_execution"("start_time" DESC);

-- CreateIndex
CREATE INDEX "step_execution_job_execution_id_id_idx" ON "step_execution"("job_execution_id", "id");

-- CreateIndex
CREATE INDEX "step_execution_job_name_step_name_status_idx" ON "step_execution"("job_name", "step_name", "status");

-- CreateIndex
CREATE INDEX "task_batch_job_execution_id_idx" ON "task_batch"("job_execution_id");

-- AddForeignKey
ALTER TABLE "task_definition_revision" ADD CONSTRAINT "task_definition_revision_definition_id_fkey" FOREIGN KEY ("definition_id") REFERENCES "task_definition"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_execution" ADD CONSTRAINT "task_execution_parent_execution_id_fkey" FOREIGN KEY ("parent_execution_id") REFERENCES "task_execution"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule_fire" ADD CONSTRAINT "schedule_fire_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_execution" ADD CONSTRAINT "job_execution_job_instance_id_fkey" FOREIGN KEY ("job_instance_id") REFERENCES "job_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_execution_param" ADD CONSTRAINT "job_execution_param_job_execution_id_fkey" FOREIGN KEY ("job_execution_id") REFERENCES "job_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "step_execution" ADD CONSTRAINT "step_execution_job_execution_id_fkey" FOREIGN KEY ("job_execution_id") REFERENCES "job_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_execution_context" ADD CONSTRAINT "job_execution_context_job_execution_id_fkey" FOREIGN KEY ("job_execution_id") REFERENCES "job_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "step_execution_context" ADD CONSTRAINT "step_execution_context_step_execution_id_fkey" FOREIGN KEY ("step_execution_id") REFERENCES "step_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_batch" ADD CONSTRAINT "task_batch_task_execution_id_fkey" FOREIGN KEY ("task_execution_id") REFERENCES "task_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_batch" ADD CONSTRAINT "task_batch_job_execution_id_fkey" FOREIGN KEY ("job_execution_id") REFERENCES "job_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;
