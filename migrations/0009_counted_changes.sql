-- The rollup is kept current by adding the changes written since the last refresh instead of
-- recounting their days: a run's close recounted the whole day, and after a first load of 51,000
-- changes every later run of that day (an incremental run, a re-harvest of one organization) spent
-- 70 ms recounting them (0.7 s at 500,000). `changes_daily_counted.up_to` is the highest change id
-- counted; a refresh adds the changes above it and moves it to the highest id there is. That id is
-- settled once the refresh holds the rollup's lock exclusively: a writer now takes the lock shared
-- before its statement inserts a row (so before it draws an id) and keeps it to its commit, so no
-- change below the highest id can still commit. The dirty days stay: they tell `changes_per_day`
-- which days to count live, and the refresh returns them. Hand-written beside drizzle-kit's table:
-- drizzle-kit does not model triggers.
CREATE TABLE "changes_daily_counted" (
	"up_to" bigint NOT NULL
);--> statement-breakpoint
-- The days written so far counted as before, under the lock, and the watermark set at the highest id.
SELECT refresh_changes_daily();--> statement-breakpoint
SELECT pg_advisory_xact_lock(hashtext('datagouv_mirror.changes_daily_dirty'));--> statement-breakpoint
INSERT INTO changes_daily_counted (up_to) SELECT coalesce(max(id), 0) FROM changes;--> statement-breakpoint
CREATE FUNCTION changes_hold_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtext('datagouv_mirror.changes_daily_dirty'));
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER changes_hold_rollup BEFORE INSERT ON changes FOR EACH STATEMENT EXECUTE FUNCTION changes_hold_rollup();--> statement-breakpoint
CREATE OR REPLACE FUNCTION refresh_changes_daily() RETURNS SETOF date LANGUAGE plpgsql AS $$
DECLARE
  days date[];
  counted bigint;
  upto bigint;
BEGIN
  -- Waits for every transaction that inserted changes: each holds the lock shared from its first insert.
  PERFORM pg_advisory_xact_lock(hashtext('datagouv_mirror.changes_daily_dirty'));
  WITH claimed AS (
    DELETE FROM changes_daily_dirty WHERE day IN (SELECT day FROM changes_daily_dirty ORDER BY day FOR UPDATE) RETURNING day
  ) SELECT coalesce(array_agg(day), '{}') INTO days FROM claimed;
  IF cardinality(days) = 0 THEN RETURN; END IF;
  SELECT up_to INTO STRICT counted FROM changes_daily_counted;
  SELECT coalesce(max(id), counted) INTO upto FROM changes;
  WITH added AS (
    SELECT (c.observed_at AT TIME ZONE 'UTC')::date AS day, c.entity_type, c.organization_id, c.op, count(*)::int AS changes,
           (count(*) FILTER (WHERE c.op = 'update' AND cardinality(c.changed_fields) = 0))::int AS stamp_only
      FROM changes c
     WHERE c.id > counted AND c.id <= upto
     GROUP BY 1, 2, 3, 4
  ), bumped AS (
    UPDATE changes_daily r SET changes = r.changes + a.changes, stamp_only = r.stamp_only + a.stamp_only
      FROM added a
     WHERE r.day = a.day AND r.entity_type = a.entity_type AND r.organization_id IS NOT DISTINCT FROM a.organization_id AND r.op = a.op
    RETURNING r.day, r.entity_type, r.organization_id, r.op
  )
  INSERT INTO changes_daily (day, entity_type, organization_id, op, changes, stamp_only)
    SELECT a.day, a.entity_type, a.organization_id, a.op, a.changes, a.stamp_only
      FROM added a
     WHERE NOT EXISTS (SELECT 1 FROM bumped b
                        WHERE b.day = a.day AND b.entity_type = a.entity_type AND b.organization_id IS NOT DISTINCT FROM a.organization_id AND b.op = a.op);
  UPDATE changes_daily_counted SET up_to = upto;
  RETURN QUERY SELECT unnest(days) ORDER BY 1;
END $$;--> statement-breakpoint
COMMENT ON TABLE changes_daily_counted IS 'One row: the highest changes.id counted in changes_daily; refresh_changes_daily() adds the changes above it.';--> statement-breakpoint
COMMENT ON FUNCTION refresh_changes_daily() IS 'Adds the changes written since the last refresh to changes_daily and clears the dirty days; run at the end of every run, idempotent.';
