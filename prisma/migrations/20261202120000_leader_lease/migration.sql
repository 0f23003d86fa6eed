-- The PostgreSQL leader lease (used where no Kubernetes Lease is): one row per lease name.
CREATE TABLE "leader_lease" (
    "name" VARCHAR(128) NOT NULL,
    "holder" VARCHAR(255) NOT NULL,
    "acquire_time" TIMESTAMPTZ(3) NOT NULL,
    "renew_time" TIMESTAMPTZ(3) NOT NULL,
    "lease_duration_ms" INTEGER NOT NULL,
    "transitions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "leader_lease_pkey" PRIMARY KEY ("name")
);
