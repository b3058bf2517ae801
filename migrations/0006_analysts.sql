CREATE TABLE "changes_daily" (
	"day" date NOT NULL,
	"entity_type" text NOT NULL,
	"organization_id" text,
	"op" text NOT NULL,
	"changes" integer NOT NULL,
	"stamp_only" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "changes_daily_dirty" (
	"day" date PRIMARY KEY NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "changes_entity_idx";--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "stamp_fields" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "old_values" jsonb;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "new_values" jsonb;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "organization_id" text;--> statement-breakpoint
ALTER TABLE "changes" ADD COLUMN "deletion_reason" text;--> statement-breakpoint
CREATE INDEX "changes_daily_day_idx" ON "changes_daily" USING btree ("day","entity_type");--> statement-breakpoint
CREATE INDEX "changes_kind_observed_at_idx" ON "changes" USING btree ("entity_type","observed_at");--> statement-breakpoint
CREATE INDEX "changes_organization_idx" ON "changes" USING btree ("organization_id","observed_at");--> statement-breakpoint
CREATE INDEX "changes_changed_fields_idx" ON "changes" USING gin ("changed_fields") WHERE op in ('update', 'restore');--> statement-breakpoint
CREATE INDEX "changes_entity_idx" ON "changes" USING btree ("entity_type","entity_id","observed_at");--> statement-breakpoint
-- Hand-written from here: the fold behind entity_as_of, the backfill of the new columns, field_changes,
-- the as-of functions, the daily rollup with its dirty-day trigger, and comments.
-- One step of the fold of an entity's changes (in id order) into its tracked object: an insert (its
-- patch's one add) or a restore carries the whole object, an update its changed keys (removed keys
-- are absent from new_values), a delete ends it (null while tombstoned).
CREATE FUNCTION changes_fold_step(state jsonb, op text, changed_keys text[], new_values jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE op
    WHEN 'insert' THEN new_values
    WHEN 'restore' THEN new_values
    WHEN 'delete' THEN NULL
    ELSE (state - changed_keys) || coalesce(new_values, '{}'::jsonb)
  END
$$;--> statement-breakpoint
CREATE AGGREGATE changes_fold(op text, changed_keys text[], new_values jsonb) (
  SFUNC = changes_fold_step,
  STYPE = jsonb,
  PARALLEL = SAFE
);--> statement-breakpoint
CREATE FUNCTION entity_as_of(entity_type text, entity_id text, at timestamptz) RETURNS jsonb
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT changes_fold(c.op, c.changed_fields || c.stamp_fields, CASE WHEN c.op = 'insert' THEN c.patch -> 0 -> 'value' ELSE c.new_values END ORDER BY c.id)
    FROM changes c
   WHERE c.entity_type = entity_as_of.entity_type AND c.entity_id = entity_as_of.entity_id AND c.observed_at <= entity_as_of.at
$$;--> statement-breakpoint
CREATE FUNCTION entities_as_of(entity_type text, at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT s.id, s.object
    FROM (SELECT c.entity_id AS id,
                 changes_fold(c.op, c.changed_fields || c.stamp_fields, CASE WHEN c.op = 'insert' THEN c.patch -> 0 -> 'value' ELSE c.new_values END ORDER BY c.id) AS object
            FROM changes c
           WHERE c.entity_type = entities_as_of.entity_type AND c.observed_at <= entities_as_of.at
           GROUP BY c.entity_id) s
   WHERE s.object IS NOT NULL
$$;--> statement-breakpoint
CREATE FUNCTION organizations_as_of(at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE AS $$ SELECT * FROM entities_as_of('organization', at) $$;--> statement-breakpoint
CREATE FUNCTION datasets_as_of(at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE AS $$ SELECT * FROM entities_as_of('dataset', at) $$;--> statement-breakpoint
CREATE FUNCTION resources_as_of(at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE AS $$ SELECT * FROM entities_as_of('resource', at) $$;--> statement-breakpoint
CREATE FUNCTION reuses_as_of(at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE AS $$ SELECT * FROM entities_as_of('reuse', at) $$;--> statement-breakpoint
CREATE FUNCTION users_as_of(at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE AS $$ SELECT * FROM entities_as_of('user', at) $$;--> statement-breakpoint
CREATE FUNCTION dataservices_as_of(at timestamptz) RETURNS TABLE (id text, object jsonb)
  LANGUAGE sql STABLE AS $$ SELECT * FROM entities_as_of('dataservice', at) $$;--> statement-breakpoint
-- Backfill helpers (dropped below): an RFC 6902 patch applied to a document (the add, remove and
-- replace operations the mirror writes, plus copy and move), and JSON Pointer parsing.
CREATE FUNCTION changes_backfill_pointer(pointer text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN pointer = '' THEN '{}'::text[]
    ELSE ARRAY(SELECT replace(replace(p, '~1', '/'), '~0', '~') FROM unnest((string_to_array(pointer, '/'))[2:]) WITH ORDINALITY AS t(p, n) ORDER BY n) END
$$;--> statement-breakpoint
CREATE FUNCTION changes_backfill_add(doc jsonb, path text[], value jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int := cardinality(path);
  parent jsonb;
BEGIN
  IF n = 0 THEN RETURN value; END IF;
  parent := CASE WHEN n = 1 THEN doc ELSE doc #> path[1:n - 1] END;
  IF jsonb_typeof(parent) = 'array' THEN
    IF path[n] = '-' THEN path[n] := jsonb_array_length(parent)::text; END IF;
    RETURN jsonb_insert(doc, path, value);
  END IF;
  RETURN jsonb_set(doc, path, value, true);
END $$;--> statement-breakpoint
CREATE FUNCTION changes_backfill_apply(doc jsonb, patch jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  operation jsonb;
  path text[];
  value jsonb;
BEGIN
  FOR operation IN SELECT e FROM jsonb_array_elements(patch) AS t(e) LOOP
    path := changes_backfill_pointer(operation ->> 'path');
    value := coalesce(operation -> 'value', 'null'::jsonb);
    CASE operation ->> 'op'
      WHEN 'add' THEN doc := changes_backfill_add(doc, path, value);
      WHEN 'replace' THEN doc := CASE WHEN cardinality(path) = 0 THEN value ELSE jsonb_set(doc, path, value, false) END;
      WHEN 'remove' THEN doc := CASE WHEN cardinality(path) = 0 THEN NULL ELSE doc #- path END;
      WHEN 'copy' THEN doc := changes_backfill_add(doc, path, doc #> changes_backfill_pointer(operation ->> 'from'));
      WHEN 'move' THEN
        value := doc #> changes_backfill_pointer(operation ->> 'from');
        doc := changes_backfill_add(doc #- changes_backfill_pointer(operation ->> 'from'), path, value);
      ELSE NULL; -- test: nothing to apply
    END CASE;
  END LOOP;
  RETURN doc;
END $$;--> statement-breakpoint
CREATE FUNCTION changes_backfill_pick(doc jsonb, keys text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, doc -> k), '{}'::jsonb) FROM unnest(keys) AS k WHERE doc ? k
$$;--> statement-breakpoint
-- The organization a tracked object names (references are reduced to their ids); a resource's is its
-- dataset's as the mirror holds it now (a dataset that changed hands since gives its current one).
CREATE FUNCTION changes_backfill_organization(entity_type text, entity_id text, object jsonb) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE entity_type
    WHEN 'organization' THEN entity_id
    WHEN 'user' THEN NULL
    WHEN 'resource' THEN (SELECT d.organization_id FROM datasets d WHERE d.id = coalesce(object ->> 'dataset_id', (SELECT r.dataset_id FROM resources r WHERE r.id = entity_id)))
    ELSE CASE jsonb_typeof(object -> 'organization') WHEN 'string' THEN object ->> 'organization' WHEN 'object' THEN object -> 'organization' ->> 'id' END
  END
$$;--> statement-breakpoint
-- A delete's reason, where the entity's tombstone is that delete's (same instant); null for a deletion
-- undone since (the reason was not kept then).
CREATE FUNCTION changes_backfill_reason(entity_type text, entity_id text, at timestamptz) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  reason text;
BEGIN
  IF to_regclass(quote_ident(entity_type || 's')) IS NULL THEN RETURN NULL; END IF;
  EXECUTE format('SELECT deletion_reason FROM %I WHERE id = $1 AND deleted_at = $2', entity_type || 's') INTO reason USING entity_id, at;
  RETURN reason;
END $$;--> statement-breakpoint
CREATE FUNCTION changes_backfill_stamps() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT '{internal,last_modified,last_update,metadata_modified_at}'::text[]
$$;--> statement-breakpoint
-- Inserts: the object stays in the patch's one add (new_values is null: not stored twice).
UPDATE changes SET
    stamp_fields = ARRAY(SELECT f FROM unnest(changed_fields) AS f WHERE f = ANY (changes_backfill_stamps()) ORDER BY f),
    changed_fields = ARRAY(SELECT f FROM unnest(changed_fields) AS f WHERE f <> ALL (changes_backfill_stamps()) ORDER BY f),
    organization_id = changes_backfill_organization(entity_type, entity_id, patch -> 0 -> 'value')
  WHERE op = 'insert';--> statement-breakpoint
-- Updates, deletes and restores: each entity's patches replayed from its insert, in id order.
DO $$
DECLARE
  c record;
  state jsonb;
  next jsonb;
  current_key text := NULL;
  stamps text[] := changes_backfill_stamps();
BEGIN
  FOR c IN
    SELECT x.id, x.entity_type, x.entity_id, x.op, x.changed_fields, x.patch, x.observed_at
      FROM changes x
     WHERE (x.entity_type, x.entity_id) IN (SELECT entity_type, entity_id FROM changes WHERE op <> 'insert')
     ORDER BY x.entity_type, x.entity_id, x.id
  LOOP
    IF current_key IS DISTINCT FROM c.entity_type || '/' || c.entity_id THEN
      current_key := c.entity_type || '/' || c.entity_id;
      state := NULL;
    END IF;
    IF c.op = 'insert' THEN
      state := c.patch -> 0 -> 'value';
    ELSIF c.op = 'delete' THEN
      -- The state is kept: a restore's patch is against the object the entity had when deleted.
      UPDATE changes SET old_values = state, new_values = NULL,
          organization_id = changes_backfill_organization(c.entity_type, c.entity_id, state),
          deletion_reason = changes_backfill_reason(c.entity_type, c.entity_id, c.observed_at)
        WHERE id = c.id;
    ELSE
      next := changes_backfill_apply(state, c.patch);
      UPDATE changes SET
          old_values = changes_backfill_pick(state, c.changed_fields),
          new_values = CASE WHEN c.op = 'restore' THEN next ELSE changes_backfill_pick(next, c.changed_fields) END,
          stamp_fields = ARRAY(SELECT f FROM unnest(c.changed_fields) AS f WHERE f = ANY (stamps) ORDER BY f),
          changed_fields = ARRAY(SELECT f FROM unnest(c.changed_fields) AS f WHERE f <> ALL (stamps) ORDER BY f),
          organization_id = changes_backfill_organization(c.entity_type, c.entity_id, next)
        WHERE id = c.id;
      state := next;
    END IF;
  END LOOP;
END $$;--> statement-breakpoint
DROP FUNCTION changes_backfill_stamps();--> statement-breakpoint
DROP FUNCTION changes_backfill_reason(text, text, timestamptz);--> statement-breakpoint
DROP FUNCTION changes_backfill_organization(text, text, jsonb);--> statement-breakpoint
DROP FUNCTION changes_backfill_pick(jsonb, text[]);--> statement-breakpoint
DROP FUNCTION changes_backfill_apply(jsonb, jsonb);--> statement-breakpoint
DROP FUNCTION changes_backfill_add(jsonb, text[], jsonb);--> statement-breakpoint
DROP FUNCTION changes_backfill_pointer(text);--> statement-breakpoint
-- One row per changed top-level key of every update and restore; added/removed read arrays as sets.
-- A JSON null reads as SQL null, like an absent key (`old_values ? field` tells them apart).
CREATE VIEW field_changes AS
  SELECT c.id AS change_id, c.run_id, c.observed_at, c.entity_type, c.entity_id, c.op, f.field,
         nullif(c.old_values -> f.field, 'null'::jsonb) AS old_value,
         nullif(c.new_values -> f.field, 'null'::jsonb) AS new_value,
         CASE WHEN jsonb_typeof(c.old_values -> f.field) = 'array' AND jsonb_typeof(c.new_values -> f.field) = 'array' THEN
           (SELECT coalesce(jsonb_agg(n.e ORDER BY n.i), '[]'::jsonb) FROM jsonb_array_elements(c.new_values -> f.field) WITH ORDINALITY AS n(e, i)
             WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.old_values -> f.field) AS o(e) WHERE o.e = n.e)) END AS added,
         CASE WHEN jsonb_typeof(c.old_values -> f.field) = 'array' AND jsonb_typeof(c.new_values -> f.field) = 'array' THEN
           (SELECT coalesce(jsonb_agg(o.e ORDER BY o.i), '[]'::jsonb) FROM jsonb_array_elements(c.old_values -> f.field) WITH ORDINALITY AS o(e, i)
             WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.new_values -> f.field) AS n(e) WHERE n.e = o.e)) END AS removed,
         c.organization_id
    FROM changes c CROSS JOIN LATERAL unnest(c.changed_fields) AS f(field)
   WHERE c.op IN ('update', 'restore');--> statement-breakpoint
-- The rollup: every day counted once from changes, then kept current by the dirty-day trigger and
-- refresh_changes_daily() at the end of each run.
INSERT INTO changes_daily (day, entity_type, organization_id, op, changes, stamp_only)
  SELECT (observed_at AT TIME ZONE 'UTC')::date, entity_type, organization_id, op, count(*)::int,
         (count(*) FILTER (WHERE op = 'update' AND cardinality(changed_fields) = 0))::int
    FROM changes GROUP BY 1, 2, 3, 4;--> statement-breakpoint
CREATE FUNCTION changes_mark_dirty_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DO UPDATE, not DO NOTHING: it locks the day's row, so a refresh that would clear it waits for this
  -- transaction and then counts its changes (or clears a row this transaction then marks again).
  INSERT INTO changes_daily_dirty (day)
    SELECT DISTINCT (observed_at AT TIME ZONE 'UTC')::date FROM inserted ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET marked_at = now();
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER changes_mark_dirty_days AFTER INSERT ON changes
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION changes_mark_dirty_days();--> statement-breakpoint
-- Recounts the dirty days from changes and clears them; returns those days. Idempotent and safe to run
-- concurrently: the days are claimed (deleted) first, and counted by a later statement, whose snapshot
-- holds every change of a transaction that marked them before.
CREATE FUNCTION refresh_changes_daily() RETURNS SETOF date LANGUAGE plpgsql AS $$
DECLARE
  days date[];
BEGIN
  -- Claimed in day order, the order the trigger marks them in: a claim never deadlocks with a writer.
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
END $$;--> statement-breakpoint
DROP VIEW changes_per_day;--> statement-breakpoint
-- The rollup's days, and the dirty ones counted live: exact at every moment, even mid-run.
CREATE VIEW changes_per_day AS
  SELECT r.day, r.entity_type, r.organization_id, r.op, r.changes, r.stamp_only
    FROM changes_daily r
   WHERE NOT EXISTS (SELECT 1 FROM changes_daily_dirty x WHERE x.day = r.day)
  UNION ALL
  SELECT x.day, c.entity_type, c.organization_id, c.op, count(*)::int,
         (count(*) FILTER (WHERE c.op = 'update' AND cardinality(c.changed_fields) = 0))::int
    FROM changes_daily_dirty x
    JOIN changes c ON c.observed_at >= x.day::timestamp AT TIME ZONE 'UTC' AND c.observed_at < (x.day + 1)::timestamp AT TIME ZONE 'UTC'
   GROUP BY 1, 2, 3, 4;--> statement-breakpoint
COMMENT ON TABLE changes IS 'One row per real change seen: op insert/update/delete/restore; changed_fields = changed top-level keys, stamps aside (stamp_fields); old_values/new_values = their values; patch = RFC 6902 from old to new tracked object. Volatile fields (metrics, permissions, quality, crawler extras) never make a row.';--> statement-breakpoint
COMMENT ON COLUMN changes.changed_fields IS 'Changed top-level keys, modification stamps aside; an insert lists every key; empty for a delete and for an update of stamps only.';--> statement-breakpoint
COMMENT ON COLUMN changes.stamp_fields IS 'Changed top-level keys that are modification stamps (internal, last_modified, last_update, metadata_modified_at).';--> statement-breakpoint
COMMENT ON COLUMN changes.old_values IS 'update/restore: the values before of the changed keys, stamps included (a key absent before is absent); delete: the whole last object; insert: null.';--> statement-breakpoint
COMMENT ON COLUMN changes.new_values IS 'update: the new values of the changed keys, stamps included (a removed key is absent); restore: the whole object; insert: null (the object is patch -> 0 -> ''value''); delete: null.';--> statement-breakpoint
COMMENT ON COLUMN changes.organization_id IS 'The organization of the entity when the change was observed (a resource: its dataset''s; an organization: itself; users: null).';--> statement-breakpoint
COMMENT ON COLUMN changes.deletion_reason IS 'Of a delete: deleted (410), not_found (404), removed (resource gone from its dataset), dataset_deleted.';--> statement-breakpoint
COMMENT ON VIEW field_changes IS 'One row per changed top-level key of every update and restore: old_value, new_value, and added/removed elements where both are arrays (read as sets).';--> statement-breakpoint
COMMENT ON TABLE changes_daily IS 'Daily rollup of changes (UTC day, entity type, organization as observed, op); read it through changes_per_day.';--> statement-breakpoint
COMMENT ON TABLE changes_daily_dirty IS 'Days with changes not yet counted in changes_daily (marked by a trigger on changes, cleared by refresh_changes_daily()).';--> statement-breakpoint
COMMENT ON VIEW changes_per_day IS 'Count of changes per UTC day, entity type, organization as observed (a resource: its dataset''s; null for users) and op; stamp_only = updates of stamps only. From changes_daily, days not yet refreshed counted live.';--> statement-breakpoint
COMMENT ON FUNCTION entity_as_of(text, text, timestamptz) IS 'The tracked object (raw without volatile fields, references as ids) after the last change observed at or before at; null before its insert and while tombstoned.';--> statement-breakpoint
COMMENT ON FUNCTION entities_as_of(text, timestamptz) IS 'Every entity of a type alive at a time, with its tracked object as of then (see entity_as_of); datasets_as_of(at) and the like are shorthands.';--> statement-breakpoint
COMMENT ON FUNCTION refresh_changes_daily() IS 'Recounts the days in changes_daily_dirty into changes_daily; run at the end of every run, idempotent.';
