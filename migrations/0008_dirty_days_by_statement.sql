-- Marking the days written to `changes` no longer serializes the writers. The trigger it replaces
-- marked each day with ON CONFLICT DO UPDATE, locking the day's row until the writer committed, so that
-- a refresh would wait for it: every page of a run marks the same day, so each page's transaction
-- waited for the one before it from its `changes` insert to its commit (13 ms a statement, 2.4 s of a
-- first load at scale 0.1). Now a writer holds a shared advisory lock for its transaction and inserts
-- only the days not marked yet (no row lock on a marked day); a refresh takes that lock exclusively
-- before claiming the days, so it still waits for every transaction that marked a day and counts its
-- changes. The days are noted without a transition table: a BEFORE ROW trigger notes a row's UTC day
-- in a transaction-local setting, called only for a day the statement has not noted yet (its WHEN
-- clause is checked by the executor, the other rows call nothing), and the statement's AFTER trigger
-- marks the noted days in day order and clears the note. A rolled back statement or savepoint takes
-- its note with it. Hand-written: drizzle-kit does not model triggers.
DROP TRIGGER changes_mark_dirty_days ON changes;--> statement-breakpoint
DROP FUNCTION changes_mark_dirty_days();--> statement-breakpoint
CREATE FUNCTION changes_note_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('datagouv_mirror.changed_days',
    coalesce(current_setting('datagouv_mirror.changed_days', true), '') || ((NEW.observed_at AT TIME ZONE 'UTC')::date)::text || ',', true);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER changes_note_day BEFORE INSERT ON changes FOR EACH ROW
  WHEN (strpos(coalesce(current_setting('datagouv_mirror.changed_days', true), ''), ((NEW.observed_at AT TIME ZONE 'UTC')::date)::text) = 0)
  EXECUTE FUNCTION changes_note_day();--> statement-breakpoint
CREATE FUNCTION changes_mark_dirty_days() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  noted text := coalesce(current_setting('datagouv_mirror.changed_days', true), '');
BEGIN
  IF noted = '' THEN RETURN NULL; END IF;
  PERFORM set_config('datagouv_mirror.changed_days', '', true);
  PERFORM pg_advisory_xact_lock_shared(hashtext('datagouv_mirror.changes_daily_dirty'));
  INSERT INTO changes_daily_dirty (day)
    SELECT DISTINCT d::date FROM unnest(string_to_array(rtrim(noted, ','), ',')) AS u(d)
     WHERE NOT EXISTS (SELECT 1 FROM changes_daily_dirty x WHERE x.day = d::date)
     ORDER BY 1
    ON CONFLICT (day) DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER changes_mark_dirty_days AFTER INSERT ON changes FOR EACH STATEMENT EXECUTE FUNCTION changes_mark_dirty_days();--> statement-breakpoint
-- As before (0006), after waiting for the transactions that marked days: its claim then sees their marks
-- and its count their changes.
CREATE OR REPLACE FUNCTION refresh_changes_daily() RETURNS SETOF date LANGUAGE plpgsql AS $$
DECLARE
  days date[];
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('datagouv_mirror.changes_daily_dirty'));
  WITH claimed AS (
    DELETE FROM changes_daily_dirty WHERE day IN (SELECT day FROM changes_daily_dirty ORDER BY day FOR UPDATE) RETURNING day
  ) SELECT coalesce(array_agg(day), '{}') INTO days FROM claimed;
  IF cardinality(days) = 0 THEN RETURN; END IF;
  DELETE FROM changes_daily WHERE day = ANY (days);
  INSERT INTO changes_daily (day, entity_type, organization_id, op, changes, stamp_only)
    SELECT d.day, c.entity_type, c.organization_id, c.op, count(*)::int,
           (count(*) FILTER (WHERE c.op = 'update' AND cardinality(c.changed_fields) = 0))::int
      FROM unnest(days) AS d(day)
      JOIN changes c ON c.observed_at >= d.day::timestamp AT TIME ZONE 'UTC' AND c.observed_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
     GROUP BY 1, 2, 3, 4;
  RETURN QUERY SELECT unnest(days) ORDER BY 1;
END $$;
