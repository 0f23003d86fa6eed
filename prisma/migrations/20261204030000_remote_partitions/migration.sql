-- Remote partitions: a child execution launched for one partition step execution of its parent's
-- batch job. Unique, so a repeated launch request for the same partition returns the same child.
ALTER TABLE "batchyard_task_execution" ADD COLUMN "partition_step_execution_id" BIGINT;
CREATE UNIQUE INDEX "batchyard_task_execution_partition_step_execution_id_key"
  ON "batchyard_task_execution"("partition_step_execution_id");

-- Per-execution task tokens: minted at launch, given to the task's process only, stored as the
-- SHA-256 of their secret. They authenticate a task to the API for its own partitions only.
CREATE TABLE "task_token" (
    "execution_id" INTEGER NOT NULL,
    "secret_hash" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_token_pkey" PRIMARY KEY ("execution_id")
);
ALTER TABLE "task_token" ADD CONSTRAINT "task_token_execution_id_fkey"
  FOREIGN KEY ("execution_id") REFERENCES "batchyard_task_execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;
