-- Spring Batch 5/6's and Spring Cloud Task 3's own tables become Batchyard's job repository, so a
-- Java Spring Batch app and the TypeScript worker write the same rows. Existing data moves over:
-- job instances get Spring Batch 5's job key (DefaultJobKeyGenerator, recomputed from the first
-- execution's identifying parameters), parameters Spring's format, contexts the Jackson
-- serializer's format. Batchyard's own task_execution moves out of Spring's way.

-- ───── Apps get the Spring Cloud Task contract unless registered without it ─────
ALTER TABLE "app_registration" ADD COLUMN "spring_contract" BOOLEAN NOT NULL DEFAULT true;

-- ───── Batchyard's task execution table moves aside; its ids become TASK_EXECUTION_IDs ─────
ALTER TABLE "task_execution" RENAME TO "batchyard_task_execution";
ALTER TABLE "batchyard_task_execution" RENAME CONSTRAINT "task_execution_pkey" TO "batchyard_task_execution_pkey";
ALTER TABLE "batchyard_task_execution" RENAME CONSTRAINT "task_execution_parent_execution_id_fkey" TO "batchyard_task_execution_parent_execution_id_fkey";
ALTER INDEX "task_execution_external_execution_id_key" RENAME TO "batchyard_task_execution_external_execution_id_key";
ALTER INDEX "task_execution_task_name_id_idx" RENAME TO "batchyard_task_execution_task_name_id_idx";
ALTER INDEX "task_execution_status_id_idx" RENAME TO "batchyard_task_execution_status_id_idx";
ALTER INDEX "task_execution_platform_name_status_idx" RENAME TO "batchyard_task_execution_platform_name_status_idx";
ALTER INDEX "task_execution_created_at_id_idx" RENAME TO "batchyard_task_execution_created_at_id_idx";
ALTER INDEX "task_execution_parent_execution_id_idx" RENAME TO "batchyard_task_execution_parent_execution_id_idx";
ALTER INDEX "task_execution_schedule_name_id_idx" RENAME TO "batchyard_task_execution_schedule_name_id_idx";
ALTER INDEX "task_execution_restart_of_job_execution_id_idx" RENAME TO "batchyard_task_execution_restart_of_job_execution_id_idx";
ALTER TABLE "batchyard_task_execution" ALTER COLUMN "id" DROP DEFAULT;
DROP SEQUENCE "task_execution_id_seq";

-- ───── Spring Cloud Task 3.x (schema-postgresql.sql) ─────
CREATE TABLE TASK_EXECUTION (
	TASK_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	START_TIME TIMESTAMP DEFAULT NULL,
	END_TIME TIMESTAMP DEFAULT NULL,
	TASK_NAME VARCHAR(100),
	EXIT_CODE INTEGER,
	EXIT_MESSAGE VARCHAR(2500),
	ERROR_MESSAGE VARCHAR(2500),
	LAST_UPDATED TIMESTAMP,
	EXTERNAL_EXECUTION_ID VARCHAR(255),
	PARENT_EXECUTION_ID BIGINT
);

CREATE TABLE TASK_EXECUTION_PARAMS (
	TASK_EXECUTION_ID BIGINT NOT NULL,
	TASK_PARAM VARCHAR(2500),
	constraint task_execution_params_task_execution_id_fkey foreign key (TASK_EXECUTION_ID)
	references TASK_EXECUTION(TASK_EXECUTION_ID) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE TASK_TASK_BATCH (
	TASK_EXECUTION_ID BIGINT NOT NULL,
	JOB_EXECUTION_ID BIGINT NOT NULL,
	constraint task_task_batch_pkey primary key (TASK_EXECUTION_ID, JOB_EXECUTION_ID),
	constraint task_task_batch_task_execution_id_fkey foreign key (TASK_EXECUTION_ID)
	references TASK_EXECUTION(TASK_EXECUTION_ID) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX task_task_batch_job_execution_id_idx ON TASK_TASK_BATCH (JOB_EXECUTION_ID);

CREATE SEQUENCE TASK_SEQ MAXVALUE 9223372036854775807 NO CYCLE;

CREATE TABLE TASK_LOCK (
	LOCK_KEY CHAR(36) NOT NULL,
	REGION VARCHAR(100) NOT NULL,
	CLIENT_ID CHAR(36),
	CREATED_DATE TIMESTAMP NOT NULL,
	EXPIRED_AFTER TIMESTAMP NOT NULL,
	constraint LOCK_PK primary key (LOCK_KEY, REGION)
);

-- ───── Spring Batch 5.x / 6.x (schema-postgresql.sql) ─────
CREATE TABLE BATCH_JOB_INSTANCE (
	JOB_INSTANCE_ID BIGINT NOT NULL PRIMARY KEY,
	VERSION BIGINT,
	JOB_NAME VARCHAR(100) NOT NULL,
	JOB_KEY VARCHAR(32) NOT NULL,
	constraint JOB_INST_UN unique (JOB_NAME, JOB_KEY)
);

CREATE TABLE BATCH_JOB_EXECUTION (
	JOB_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	VERSION BIGINT,
	JOB_INSTANCE_ID BIGINT NOT NULL,
	CREATE_TIME TIMESTAMP NOT NULL,
	START_TIME TIMESTAMP DEFAULT NULL,
	END_TIME TIMESTAMP DEFAULT NULL,
	STATUS VARCHAR(10),
	EXIT_CODE VARCHAR(2500),
	EXIT_MESSAGE VARCHAR(2500),
	LAST_UPDATED TIMESTAMP,
	constraint batch_job_execution_job_instance_id_fkey foreign key (JOB_INSTANCE_ID)
	references BATCH_JOB_INSTANCE(JOB_INSTANCE_ID) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE BATCH_JOB_EXECUTION_PARAMS (
	JOB_EXECUTION_ID BIGINT NOT NULL,
	PARAMETER_NAME VARCHAR(100) NOT NULL,
	PARAMETER_TYPE VARCHAR(100) NOT NULL,
	PARAMETER_VALUE VARCHAR(2500),
	IDENTIFYING CHAR(1) NOT NULL,
	constraint batch_job_execution_params_job_execution_id_fkey foreign key (JOB_EXECUTION_ID)
	references BATCH_JOB_EXECUTION(JOB_EXECUTION_ID) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE BATCH_STEP_EXECUTION (
	STEP_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	VERSION BIGINT NOT NULL,
	STEP_NAME VARCHAR(100) NOT NULL,
	JOB_EXECUTION_ID BIGINT NOT NULL,
	CREATE_TIME TIMESTAMP NOT NULL,
	START_TIME TIMESTAMP DEFAULT NULL,
	END_TIME TIMESTAMP DEFAULT NULL,
	STATUS VARCHAR(10),
	COMMIT_COUNT BIGINT,
	READ_COUNT BIGINT,
	FILTER_COUNT BIGINT,
	WRITE_COUNT BIGINT,
	READ_SKIP_COUNT BIGINT,
	WRITE_SKIP_COUNT BIGINT,
	PROCESS_SKIP_COUNT BIGINT,
	ROLLBACK_COUNT BIGINT,
	EXIT_CODE VARCHAR(2500),
	EXIT_MESSAGE VARCHAR(2500),
	LAST_UPDATED TIMESTAMP,
	constraint batch_step_execution_job_execution_id_fkey foreign key (JOB_EXECUTION_ID)
	references BATCH_JOB_EXECUTION(JOB_EXECUTION_ID) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE BATCH_STEP_EXECUTION_CONTEXT (
	STEP_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	SHORT_CONTEXT VARCHAR(2500) NOT NULL,
	SERIALIZED_CONTEXT TEXT,
	constraint batch_step_execution_context_step_execution_id_fkey foreign key (STEP_EXECUTION_ID)
	references BATCH_STEP_EXECUTION(STEP_EXECUTION_ID) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE BATCH_JOB_EXECUTION_CONTEXT (
	JOB_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	SHORT_CONTEXT VARCHAR(2500) NOT NULL,
	SERIALIZED_CONTEXT TEXT,
	constraint batch_job_execution_context_job_execution_id_fkey foreign key (JOB_EXECUTION_ID)
	references BATCH_JOB_EXECUTION(JOB_EXECUTION_ID) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE SEQUENCE BATCH_STEP_EXECUTION_SEQ MAXVALUE 9223372036854775807 NO CYCLE;
CREATE SEQUENCE BATCH_JOB_EXECUTION_SEQ MAXVALUE 9223372036854775807 NO CYCLE;
-- Spring Batch 6 draws job instance ids from BATCH_JOB_INSTANCE_SEQ, Spring Batch 5 from
-- BATCH_JOB_SEQ. Both exist and interleave (odd / even) so apps of both versions never collide.
CREATE SEQUENCE BATCH_JOB_INSTANCE_SEQ INCREMENT BY 2 START WITH 1 MAXVALUE 9223372036854775807 NO CYCLE;
CREATE SEQUENCE BATCH_JOB_SEQ INCREMENT BY 2 START WITH 2 MAXVALUE 9223372036854775807 NO CYCLE;

-- Batchyard's read indexes (job lists, step history).
CREATE INDEX batch_job_instance_job_name_job_instance_id_idx ON BATCH_JOB_INSTANCE (JOB_NAME, JOB_INSTANCE_ID DESC);
CREATE INDEX batch_job_execution_job_instance_id_job_execution_id_idx ON BATCH_JOB_EXECUTION (JOB_INSTANCE_ID, JOB_EXECUTION_ID DESC);
CREATE INDEX batch_job_execution_status_job_execution_id_idx ON BATCH_JOB_EXECUTION (STATUS, JOB_EXECUTION_ID DESC);
CREATE INDEX batch_job_execution_start_time_idx ON BATCH_JOB_EXECUTION (START_TIME DESC);
CREATE INDEX batch_step_execution_job_execution_id_step_execution_id_idx ON BATCH_STEP_EXECUTION (JOB_EXECUTION_ID, STEP_EXECUTION_ID);
CREATE INDEX batch_step_execution_step_name_status_idx ON BATCH_STEP_EXECUTION (STEP_NAME, STATUS);

-- ───── Data: conversion helpers for this migration only (pg_temp, gone with the session) ─────

-- A stored parameter value's Java type, as Spring Batch 5 writes it in PARAMETER_TYPE.
CREATE FUNCTION pg_temp.java_type(t text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE t
    WHEN 'NUMBER' THEN CASE WHEN v ~ '^-?[0-9]+$' THEN 'java.lang.Long' ELSE 'java.lang.Double' END
    WHEN 'BOOLEAN' THEN 'java.lang.Boolean'
    WHEN 'DATE' THEN 'java.util.Date'
    ELSE 'java.lang.String' END
$$;

-- Java's Double.toString for a finite double (decimal between 10^-3 and 10^7, else d.dddE±n).
CREATE FUNCTION pg_temp.java_double(v text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE d float8 := v::float8; e int; m text;
BEGIN
  IF d = 0 THEN RETURN CASE WHEN v LIKE '-%' THEN '-0.0' ELSE '0.0' END; END IF;
  IF abs(d) >= 1e-3 AND abs(d) < 1e7 THEN
    m := d::text;
    RETURN CASE WHEN m ~ '[.]' THEN m ELSE m || '.0' END;
  END IF;
  e := floor(log(abs(d)::numeric));
  m := (d / 10::float8 ^ e)::text;
  RETURN CASE WHEN m ~ '[.]' THEN m ELSE m || '.0' END || 'E' || e;
END $$;

-- The value as Spring Batch's conversion service writes it to PARAMETER_VALUE.
CREATE FUNCTION pg_temp.java_value(t text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE pg_temp.java_type(t, v)
    WHEN 'java.lang.Double' THEN pg_temp.java_double(v)
    WHEN 'java.util.Date' THEN to_char(v::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
      || CASE WHEN extract(milliseconds FROM v::timestamptz)::int % 1000 = 0 THEN ''
              ELSE to_char(v::timestamptz AT TIME ZONE 'UTC', '.MS') END || 'Z'
    ELSE v END
$$;

-- The value's Java toString(), which is what DefaultJobKeyGenerator hashes (java.util.Date in UTC).
CREATE FUNCTION pg_temp.java_string(t text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE pg_temp.java_type(t, v)
    WHEN 'java.util.Date' THEN to_char(v::timestamptz AT TIME ZONE 'UTC', 'Dy Mon DD HH24:MI:SS "UTC" YYYY')
    ELSE pg_temp.java_value(t, v) END
$$;

-- A context (JSON object) as Jackson2ExecutionContextStringSerializer writes it: maps and lists
-- carry their class, longs outside int range are wrapped ["java.lang.Long", n].
CREATE FUNCTION pg_temp.jackson(v jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN CASE jsonb_typeof(v)
    WHEN 'object' THEN '{"@class":"java.util.HashMap"' || coalesce((
      SELECT string_agg(',' || to_jsonb(k)::text || ':' || pg_temp.jackson(x), '' ORDER BY k)
        FROM jsonb_each(v) AS e(k, x)), '') || '}'
    WHEN 'array' THEN '["java.util.ArrayList",[' || coalesce((
      SELECT string_agg(pg_temp.jackson(x), ',' ORDER BY o)
        FROM jsonb_array_elements(v) WITH ORDINALITY AS a(x, o)), '') || ']]'
    WHEN 'number' THEN CASE
      WHEN v::text ~ '^-?[0-9]+$' AND NOT (v::text)::numeric BETWEEN -2147483648 AND 2147483647
      THEN '["java.lang.Long",' || v::text || ']' ELSE v::text END
    ELSE v::text END;
END $$;

-- ───── Data: task executions ─────
INSERT INTO TASK_EXECUTION (TASK_EXECUTION_ID, START_TIME, END_TIME, TASK_NAME, EXIT_CODE, EXIT_MESSAGE,
                            ERROR_MESSAGE, LAST_UPDATED, EXTERNAL_EXECUTION_ID, PARENT_EXECUTION_ID)
SELECT id, start_time AT TIME ZONE 'UTC', end_time AT TIME ZONE 'UTC', left(task_name, 100), exit_code,
       left(exit_message, 2500), left(error_message, 2500), updated_at AT TIME ZONE 'UTC',
       external_execution_id, parent_execution_id
  FROM batchyard_task_execution;

INSERT INTO TASK_EXECUTION_PARAMS (TASK_EXECUTION_ID, TASK_PARAM)
SELECT t.id, left(a.arg, 2500)
  FROM batchyard_task_execution t, jsonb_array_elements_text(t.arguments) WITH ORDINALITY AS a(arg, o)
 WHERE jsonb_typeof(t.arguments) = 'array'
 ORDER BY t.id, a.o;

-- ───── Data: job instances with Spring Batch 5's job key ─────
INSERT INTO BATCH_JOB_INSTANCE (JOB_INSTANCE_ID, VERSION, JOB_NAME, JOB_KEY)
SELECT i.id, i.version, i.job_name,
       CASE WHEN EXISTS (SELECT 1 FROM job_execution e WHERE e.job_instance_id = i.id) THEN (
         SELECT md5(coalesce(string_agg(p.name || '={value=' || pg_temp.java_string(p.type::text, p.value)
                                        || ', type=class ' || pg_temp.java_type(p.type::text, p.value)
                                        || ', identifying=true};', '' ORDER BY p.name COLLATE "C"), ''))
           FROM job_execution_param p
          WHERE p.identifying
            AND p.job_execution_id = (SELECT min(e.id) FROM job_execution e WHERE e.job_instance_id = i.id))
       -- No execution to take the parameters from: the old key, cut to Spring's 32 characters.
       ELSE left(i.job_key, 32) END
  FROM job_instance i;

INSERT INTO BATCH_JOB_EXECUTION (JOB_EXECUTION_ID, VERSION, JOB_INSTANCE_ID, CREATE_TIME, START_TIME, END_TIME,
                                 STATUS, EXIT_CODE, EXIT_MESSAGE, LAST_UPDATED)
SELECT id, version, job_instance_id, create_time AT TIME ZONE 'UTC', start_time AT TIME ZONE 'UTC',
       end_time AT TIME ZONE 'UTC', status::text, exit_code, left(exit_message, 2500), last_updated AT TIME ZONE 'UTC'
  FROM job_execution;

INSERT INTO BATCH_JOB_EXECUTION_PARAMS (JOB_EXECUTION_ID, PARAMETER_NAME, PARAMETER_TYPE, PARAMETER_VALUE, IDENTIFYING)
SELECT job_execution_id, name, pg_temp.java_type(type::text, value), pg_temp.java_value(type::text, value),
       CASE WHEN identifying THEN 'Y' ELSE 'N' END
  FROM job_execution_param;

INSERT INTO BATCH_STEP_EXECUTION (STEP_EXECUTION_ID, VERSION, STEP_NAME, JOB_EXECUTION_ID, CREATE_TIME, START_TIME,
                                  END_TIME, STATUS, COMMIT_COUNT, READ_COUNT, FILTER_COUNT, WRITE_COUNT,
                                  READ_SKIP_COUNT, WRITE_SKIP_COUNT, PROCESS_SKIP_COUNT, ROLLBACK_COUNT,
                                  EXIT_CODE, EXIT_MESSAGE, LAST_UPDATED)
SELECT id, version, step_name, job_execution_id, create_time AT TIME ZONE 'UTC', start_time AT TIME ZONE 'UTC',
       end_time AT TIME ZONE 'UTC', status::text, commit_count, read_count, filter_count, write_count,
       read_skip_count, write_skip_count, process_skip_count, rollback_count, exit_code, left(exit_message, 2500),
       last_updated AT TIME ZONE 'UTC'
  FROM step_execution;

INSERT INTO BATCH_JOB_EXECUTION_CONTEXT (JOB_EXECUTION_ID, SHORT_CONTEXT, SERIALIZED_CONTEXT)
SELECT job_execution_id,
       CASE WHEN length(s) > 2500 THEN left(s, 2492) || ' ...' ELSE s END,
       CASE WHEN length(s) > 2500 THEN s END
  FROM (SELECT job_execution_id, pg_temp.jackson(context) AS s FROM job_execution_context) c;

INSERT INTO BATCH_STEP_EXECUTION_CONTEXT (STEP_EXECUTION_ID, SHORT_CONTEXT, SERIALIZED_CONTEXT)
SELECT step_execution_id,
       CASE WHEN length(s) > 2500 THEN left(s, 2492) || ' ...' ELSE s END,
       CASE WHEN length(s) > 2500 THEN s END
  FROM (SELECT step_execution_id, pg_temp.jackson(context) AS s FROM step_execution_context) c;

INSERT INTO TASK_TASK_BATCH (TASK_EXECUTION_ID, JOB_EXECUTION_ID)
SELECT task_execution_id, job_execution_id FROM task_batch;

-- Sequences continue after the moved ids (the job instance pair keeps its odd / even split).
SELECT setval('task_seq', (SELECT coalesce(max(id), 0) + 1 FROM batchyard_task_execution), false);
SELECT setval('batch_job_execution_seq', (SELECT coalesce(max(id), 0) + 1 FROM job_execution), false);
SELECT setval('batch_step_execution_seq', (SELECT coalesce(max(id), 0) + 1 FROM step_execution), false);
SELECT setval('batch_job_instance_seq', n + 1 - n % 2, false), setval('batch_job_seq', n + n % 2, false)
  FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM job_instance) m;

DROP FUNCTION pg_temp.jackson(jsonb);
DROP FUNCTION pg_temp.java_string(text, text);
DROP FUNCTION pg_temp.java_value(text, text);
DROP FUNCTION pg_temp.java_double(text);
DROP FUNCTION pg_temp.java_type(text, text);

-- ───── The old tables go ─────
DROP TABLE "task_batch";
DROP TABLE "step_execution_context";
DROP TABLE "job_execution_context";
DROP TABLE "step_execution";
DROP TABLE "job_execution_param";
DROP TABLE "job_execution";
DROP TABLE "job_instance";
DROP TYPE "job_parameter_type";
DROP TYPE "batch_status";
