-- Batchyard's execution ids are TASK_EXECUTION_IDs, drawn from Spring Cloud Task's TASK_SEQ — of the
-- configured table prefix. With Spring's default prefix that is task_seq; the server redefines this
-- function at start-up for another prefix (packages/db/src/spring-prefix.ts), so the server and the
-- apps that insert their own rows draw from one sequence.
CREATE FUNCTION batchyard_next_task_id() RETURNS bigint LANGUAGE sql VOLATILE
  AS $$ SELECT nextval('task_seq') $$;
