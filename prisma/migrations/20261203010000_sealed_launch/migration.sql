-- The launch request's masked secrets, sealed with the server's encryption key, so a queued
-- execution (dispatched after a restart) and a relaunch give the task the real values.
ALTER TABLE "batchyard_task_execution" ADD COLUMN "sealed_launch" TEXT;
