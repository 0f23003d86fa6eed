-- A Spring app that was given no execution id (a CronJob's run) inserts its own TASK_EXECUTION row,
-- tagged with its Job's name as EXTERNAL_EXECUTION_ID; the reconciler looks it up by that name on
-- every reconcile of the execution it adopted (apps/server/src/services/reconciler.ts).
CREATE INDEX "task_execution_external_execution_id_idx" ON "task_execution" ("external_execution_id");
