-- Issue 15: a launch's count-and-insert as one statement. The function takes the account's
-- advisory lock, counts, inserts Batchyard's row, Spring Cloud Task's row and params, the
-- Idempotency-Key claim and the audit row, and returns the row: one round trip, with the lock
-- held only while PostgreSQL runs it (released when the statement's transaction ends; inside a
-- caller's transaction, at its commit). Each statement of a plpgsql function takes a fresh
-- snapshot, so the count after the lock sees every launch committed before it: the limit is exact.
--
-- p: platformName, platformType, maxConcurrent, waitingFor (a quota shortfall: queue), taskName,
-- arguments (jsonb array), properties (jsonb), sealedLaunch, parentExecutionId, scheduleName,
-- restartOfJobExecutionId, partitionStepExecutionId; guards definitionId/definitionVersion and appId/appUpdatedAt/appDefault
-- (the caller's cached reads, checked here so a stale cache cannot launch an edited or removed
-- definition or app); idempotency {principal, key, requestHash, windowMs}; audit {data,
-- principal, requestId}.
-- Returns {outcome: 'inserted', row, queuePosition} | {outcome: 'stale'} | {outcome: 'key-taken'}
-- | {outcome: 'partition-taken'} (a remote partition that already has its child execution).
CREATE FUNCTION batchyard_launch(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_platform text := p->>'platformName';
  v_active int;
  v_queued int;
  v_status task_execution_status;
  v_id int;
  v_row batchyard_task_execution;
  v_claim jsonb := p->'idempotency';
  v_audit jsonb := p->'audit';
BEGIN
  IF p ? 'definitionId' AND NOT EXISTS (
       SELECT 1 FROM task_definition
        WHERE id = (p->>'definitionId')::int AND version = (p->>'definitionVersion')::int) THEN
    RETURN jsonb_build_object('outcome', 'stale');
  END IF;
  IF p ? 'appId' AND NOT EXISTS (
       SELECT 1 FROM app_registration
        WHERE id = (p->>'appId')::int AND updated_at = (p->>'appUpdatedAt')::timestamptz
          AND (is_default OR NOT coalesce((p->>'appDefault')::boolean, false))) THEN
    RETURN jsonb_build_object('outcome', 'stale');
  END IF;

  PERFORM pg_advisory_xact_lock(hashtext('batchyard:account:' || v_platform));
  SELECT count(*) FILTER (WHERE status <> 'QUEUED'), count(*) FILTER (WHERE status = 'QUEUED')
    INTO v_active, v_queued
    FROM batchyard_task_execution
   WHERE platform_name = v_platform
     AND status IN ('QUEUED', 'LAUNCHING', 'PENDING', 'RUNNING', 'STOPPING');
  -- Queue order: while anything waits, a new launch waits behind it.
  v_status := CASE
    WHEN v_active >= (p->>'maxConcurrent')::int OR v_queued > 0 OR p->>'waitingFor' IS NOT NULL
    THEN 'QUEUED' ELSE 'LAUNCHING' END;
  -- A remote partition has one child execution: a second request for it (under the same account
  -- lock, so it sees the first once committed) creates nothing.
  IF p->>'partitionStepExecutionId' IS NOT NULL AND EXISTS (
       SELECT 1 FROM batchyard_task_execution
        WHERE partition_step_execution_id = (p->>'partitionStepExecutionId')::bigint) THEN
    RETURN jsonb_build_object('outcome', 'partition-taken');
  END IF;
  -- From the configured Spring prefix's TASK_SEQ (migration 20261204050100_next_task_id).
  v_id := batchyard_next_task_id();

  -- The key first (no row exists yet, so a taken key leaves nothing to undo). Under the account
  -- lock, so two requests racing for one key never wait on each other's lock in reverse order.
  IF v_claim IS NOT NULL THEN
    INSERT INTO idempotency_record (principal, key, request_hash, task_execution_id)
    VALUES (v_claim->>'principal', v_claim->>'key', v_claim->>'requestHash', v_id)
    ON CONFLICT (principal, key) DO UPDATE
      SET request_hash = excluded.request_hash, task_execution_id = excluded.task_execution_id,
          created_at = CURRENT_TIMESTAMP
      WHERE idempotency_record.created_at
            < CURRENT_TIMESTAMP - make_interval(secs => (v_claim->>'windowMs')::double precision / 1000);
    IF NOT FOUND THEN
      RETURN jsonb_build_object('outcome', 'key-taken');
    END IF;
  END IF;

  INSERT INTO task_execution (task_execution_id, task_name, last_updated, parent_execution_id)
  VALUES (v_id, left(p->>'taskName', 100), now() AT TIME ZONE 'UTC', (p->>'parentExecutionId')::bigint);
  INSERT INTO task_execution_params (task_execution_id, task_param)
  SELECT v_id, left(a, 2500)
    FROM jsonb_array_elements_text(coalesce(p->'arguments', '[]'::jsonb)) WITH ORDINALITY AS u(a, o)
   ORDER BY o;
  INSERT INTO batchyard_task_execution (
    id, task_name, status, arguments, properties, sealed_launch, platform_name, platform_type,
    parent_execution_id, schedule_name, restart_of_job_execution_id, partition_step_execution_id,
    reason, error_message,
    queued_at, updated_at)
  VALUES (
    v_id, p->>'taskName', v_status, coalesce(p->'arguments', '[]'::jsonb),
    coalesce(p->'properties', '{}'::jsonb), p->>'sealedLaunch', v_platform, p->>'platformType',
    (p->>'parentExecutionId')::int, p->>'scheduleName', (p->>'restartOfJobExecutionId')::int,
    (p->>'partitionStepExecutionId')::bigint,
    CASE WHEN v_status = 'QUEUED' AND p->>'waitingFor' IS NOT NULL THEN 'ResourceQuota' END,
    CASE WHEN v_status = 'QUEUED' THEN p->>'waitingFor' END,
    CASE WHEN v_status = 'QUEUED' THEN now() END, now())
  RETURNING * INTO v_row;

  IF v_audit IS NOT NULL THEN
    INSERT INTO audit_record (operation, action, correlation_id, data, platform_name, principal,
                              outcome, request_id)
    VALUES ('TASK_EXECUTION', 'LAUNCH', v_id::text,
            coalesce(v_audit->'data', '{}'::jsonb) || jsonb_build_object('status', v_status),
            v_platform, v_audit->>'principal', 'SUCCESS', v_audit->>'requestId');
  END IF;

  RETURN jsonb_build_object(
    'outcome', 'inserted',
    'row', to_jsonb(v_row),
    -- Every queued row of the account has a smaller id (ids are drawn under this lock).
    'queuePosition', CASE WHEN v_status = 'QUEUED' THEN v_queued + 1 END);
END
$$;
