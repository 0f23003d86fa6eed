-- Idempotency-Key on launches: one record per (caller, key), written with the execution it made.
CREATE TABLE "idempotency_record" (
    "principal" VARCHAR(255) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" VARCHAR(64) NOT NULL,
    "task_execution_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("principal","key")
);

CREATE INDEX "idempotency_record_created_at_idx" ON "idempotency_record"("created_at");
