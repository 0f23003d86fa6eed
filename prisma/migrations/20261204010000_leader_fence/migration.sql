-- The fencing token of the singleton loops: one row per lease name, its epoch bumped each time a
-- replica begins a term as leader (whichever backend holds the lease). Every write a loop makes is
-- conditioned on the epoch it began with, so a deposed leader's late write cannot land.
CREATE TABLE "leader_fence" (
    "name" VARCHAR(128) NOT NULL,
    "epoch" BIGINT NOT NULL,
    "holder" VARCHAR(255) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "leader_fence_pkey" PRIMARY KEY ("name")
);
