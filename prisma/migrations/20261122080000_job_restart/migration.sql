-- A task execution launched to restart a job execution names it, so a second restart of the same
-- job execution is refused while the first is still in flight (before its worker has created the
-- new job execution that makes the old one no longer restartable).
ALTER TABLE "task_execution" ADD COLUMN "restart_of_job_execution_id" INTEGER;

CREATE INDEX "task_execution_restart_of_job_execution_id_idx" ON "task_execution"("restart_of_job_execution_id");
