-- Retention (apps/server/src/retention): a policy per task definition, and the indexes its
-- selection and its DELETEs need at 10^7 executions / 10^8 steps.

-- {"days": n | null, "keepLast": n | null}: a key left out inherits the server's default, null = no limit.
ALTER TABLE "task_definition" ADD COLUMN "retention_policy" JSONB;

-- Selection by age: a range of (task_name, end_time), walked in (end_time, id) order with a keyset cursor.
CREATE INDEX "batchyard_task_execution_task_name_end_time_id_idx" ON "batchyard_task_execution" ("task_name", "end_time", "id");

-- Spring's parameter tables have no index on their foreign key: every cascaded delete would scan them.
CREATE INDEX "task_execution_params_task_execution_id_idx" ON task_execution_params (task_execution_id);
CREATE INDEX "batch_job_execution_params_job_execution_id_idx" ON batch_job_execution_params (job_execution_id);
