-- /metrics at a cost independent of history size: running totals kept by triggers, so a scrape
-- reads a few summary rows (one per platform/status, job/status, job/step) instead of aggregating
-- 10^7 executions and 10^8 steps. Deletes (retention, cleanup, cascades) subtract what they remove.
-- Step totals take a step only once it has settled (COMPLETED, FAILED, STOPPED, ABANDONED): the
-- worker's per-chunk updates of a running step touch no summary row (no hot row on the chunk
-- path); running steps are read live through the status index.

CREATE TABLE "batchyard_task_status_total" (
    "platform_name" VARCHAR(255) NOT NULL,
    "status" "task_execution_status" NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "batchyard_task_status_total_pkey" PRIMARY KEY ("platform_name", "status")
);

CREATE TABLE "batchyard_job_status_total" (
    "job_name" VARCHAR(100) NOT NULL,
    "status" VARCHAR(10) NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    "finished" BIGINT NOT NULL DEFAULT 0,
    "duration_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    CONSTRAINT "batchyard_job_status_total_pkey" PRIMARY KEY ("job_name", "status")
);

CREATE TABLE "batchyard_step_total" (
    "job_name" VARCHAR(100) NOT NULL,
    "step_name" VARCHAR(100) NOT NULL,
    "read" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "written" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "skipped" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "filtered" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "finished" BIGINT NOT NULL DEFAULT 0,
    "duration_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    CONSTRAINT "batchyard_step_total_pkey" PRIMARY KEY ("job_name", "step_name")
);

-- Running steps, found without scanning settled history.
CREATE INDEX "batch_step_execution_status_idx" ON batch_step_execution (status);

-- ───── Task executions per platform and status ─────
CREATE FUNCTION batchyard_task_status_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status
     AND OLD.platform_name IS NOT DISTINCT FROM NEW.platform_name THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE batchyard_task_status_total SET count = count - 1
     WHERE platform_name = coalesce(OLD.platform_name, '') AND status = OLD.status;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO batchyard_task_status_total (platform_name, status, count)
    VALUES (coalesce(NEW.platform_name, ''), NEW.status, 1)
    ON CONFLICT (platform_name, status) DO UPDATE SET count = batchyard_task_status_total.count + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER batchyard_task_status_total AFTER INSERT OR DELETE OR UPDATE OF status, platform_name
  ON batchyard_task_execution FOR EACH ROW EXECUTE FUNCTION batchyard_task_status_total_apply();

-- ───── Job executions per job name and batch status ─────
CREATE FUNCTION batchyard_job_status_total_add(instance BIGINT, st TEXT, started TIMESTAMP, ended TIMESTAMP, sign INT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE name TEXT;
BEGIN
  SELECT job_name INTO name FROM batch_job_instance WHERE job_instance_id = instance;
  IF name IS NULL THEN RETURN; END IF;
  INSERT INTO batchyard_job_status_total AS t (job_name, status, count, finished, duration_sum)
  VALUES (name, coalesce(st, 'UNKNOWN'), sign,
          CASE WHEN started IS NOT NULL AND ended IS NOT NULL THEN sign ELSE 0 END,
          coalesce(extract(epoch FROM ended - started), 0) * sign)
  ON CONFLICT (job_name, status) DO UPDATE
    SET count = t.count + excluded.count, finished = t.finished + excluded.finished,
        duration_sum = t.duration_sum + excluded.duration_sum;
END $$;

CREATE FUNCTION batchyard_job_status_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status
     AND OLD.start_time IS NOT DISTINCT FROM NEW.start_time AND OLD.end_time IS NOT DISTINCT FROM NEW.end_time
     AND OLD.job_instance_id = NEW.job_instance_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM batchyard_job_status_total_add(OLD.job_instance_id, OLD.status, OLD.start_time, OLD.end_time, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM batchyard_job_status_total_add(NEW.job_instance_id, NEW.status, NEW.start_time, NEW.end_time, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER batchyard_job_status_total AFTER INSERT OR DELETE OR UPDATE OF status, start_time, end_time, job_instance_id
  ON batch_job_execution FOR EACH ROW EXECUTE FUNCTION batchyard_job_status_total_apply();

-- ───── Settled step executions per job and step name ─────
CREATE FUNCTION batchyard_step_total_add(s batch_step_execution, sign INT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE name TEXT;
BEGIN
  IF s.status IS NULL OR s.status NOT IN ('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED') THEN RETURN; END IF;
  SELECT i.job_name INTO name FROM batch_job_execution e JOIN batch_job_instance i USING (job_instance_id)
   WHERE e.job_execution_id = s.job_execution_id;
  IF name IS NULL THEN RETURN; END IF;
  INSERT INTO batchyard_step_total AS t (job_name, step_name, read, written, skipped, filtered, finished, duration_sum)
  VALUES (name, s.step_name, coalesce(s.read_count, 0) * sign, coalesce(s.write_count, 0) * sign,
          (coalesce(s.read_skip_count, 0) + coalesce(s.process_skip_count, 0) + coalesce(s.write_skip_count, 0)) * sign,
          coalesce(s.filter_count, 0) * sign,
          CASE WHEN s.start_time IS NOT NULL AND s.end_time IS NOT NULL THEN sign ELSE 0 END,
          coalesce(extract(epoch FROM s.end_time - s.start_time), 0) * sign)
  ON CONFLICT (job_name, step_name) DO UPDATE
    SET read = t.read + excluded.read, written = t.written + excluded.written,
        skipped = t.skipped + excluded.skipped, filtered = t.filtered + excluded.filtered,
        finished = t.finished + excluded.finished, duration_sum = t.duration_sum + excluded.duration_sum;
END $$;

CREATE FUNCTION batchyard_step_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The chunk path: a running step's commit changes counts only; nothing to do until it settles.
  IF TG_OP = 'UPDATE' AND (OLD.status IS NULL OR OLD.status NOT IN ('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED'))
     AND (NEW.status IS NULL OR NEW.status NOT IN ('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED')) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM batchyard_step_total_add(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM batchyard_step_total_add(NEW, 1); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER batchyard_step_total AFTER INSERT OR DELETE OR UPDATE
  ON batch_step_execution FOR EACH ROW EXECUTE FUNCTION batchyard_step_total_apply();

-- ───── Deletes top-down ─────
-- A cascaded delete runs after its parent row is gone, so a child's trigger could no longer find its
-- job name. Deleting the children first, from the parent's BEFORE trigger, keeps the chain readable.
CREATE FUNCTION batchyard_delete_children_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'batch_job_instance' THEN
    DELETE FROM batch_job_execution WHERE job_instance_id = OLD.job_instance_id;
  ELSE
    DELETE FROM batch_step_execution WHERE job_execution_id = OLD.job_execution_id;
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER batchyard_delete_children_first BEFORE DELETE ON batch_job_instance
  FOR EACH ROW EXECUTE FUNCTION batchyard_delete_children_first();
CREATE TRIGGER batchyard_delete_children_first BEFORE DELETE ON batch_job_execution
  FOR EACH ROW EXECUTE FUNCTION batchyard_delete_children_first();

-- ───── Existing history ─────
INSERT INTO batchyard_task_status_total (platform_name, status, count)
SELECT coalesce(platform_name, ''), status, count(*) FROM batchyard_task_execution GROUP BY 1, 2;

INSERT INTO batchyard_job_status_total (job_name, status, count, finished, duration_sum)
SELECT i.job_name, coalesce(e.status, 'UNKNOWN'), count(*), count(e.end_time - e.start_time),
       coalesce(sum(extract(epoch FROM e.end_time - e.start_time)), 0)
  FROM batch_job_execution e JOIN batch_job_instance i USING (job_instance_id) GROUP BY 1, 2;

INSERT INTO batchyard_step_total (job_name, step_name, read, written, skipped, filtered, finished, duration_sum)
SELECT i.job_name, s.step_name, coalesce(sum(s.read_count), 0), coalesce(sum(s.write_count), 0),
       coalesce(sum(coalesce(s.read_skip_count, 0) + coalesce(s.process_skip_count, 0) + coalesce(s.write_skip_count, 0)), 0),
       coalesce(sum(s.filter_count), 0), count(s.end_time - s.start_time),
       coalesce(sum(extract(epoch FROM s.end_time - s.start_time)), 0)
  FROM batch_step_execution s JOIN batch_job_execution e USING (job_execution_id)
  JOIN batch_job_instance i USING (job_instance_id)
 WHERE s.status IN ('COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED') GROUP BY 1, 2;
