-- Authentication: API tokens (hash only), dashboard sessions and logins in progress; audit records
-- say who made a change, whether it succeeded, and in which request.
ALTER TABLE "audit_record" ADD COLUMN "principal" VARCHAR(255),
ADD COLUMN "outcome" VARCHAR(16),
ADD COLUMN "request_id" VARCHAR(64);

CREATE INDEX "audit_record_principal_id_idx" ON "audit_record"("principal", "id" DESC);

CREATE TABLE "api_token" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "secret_hash" VARCHAR(64) NOT NULL,
    "roles" JSONB NOT NULL DEFAULT '[]',
    "created_by" VARCHAR(255),
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "api_token_name_key" ON "api_token"("name");

CREATE TABLE "auth_session" (
    "id_hash" VARCHAR(64) NOT NULL,
    "principal" VARCHAR(255) NOT NULL,
    "roles" JSONB NOT NULL DEFAULT '[]',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_session_pkey" PRIMARY KEY ("id_hash")
);

CREATE INDEX "auth_session_expires_at_idx" ON "auth_session"("expires_at");

CREATE TABLE "auth_login" (
    "state_hash" VARCHAR(64) NOT NULL,
    "code_verifier" VARCHAR(128) NOT NULL,
    "nonce" VARCHAR(128) NOT NULL,
    "return_to" VARCHAR(2048) NOT NULL DEFAULT '/',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_login_pkey" PRIMARY KEY ("state_hash")
);

CREATE INDEX "auth_login_expires_at_idx" ON "auth_login"("expires_at");
