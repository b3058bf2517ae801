-- Comments for analysts: \d+ in psql and most SQL clients show them. docs/schema.md says the same at length.
COMMENT ON TABLE organizations IS 'One row per data.gouv.fr organization ever seen; deleted_at set = tombstone (never hard-deleted). raw = API object incl. members.';--> statement-breakpoint
COMMENT ON TABLE datasets IS 'One row per dataset ever seen; raw = API object without its resources (see resources). Join organization_id/owner_id for current names.';--> statement-breakpoint
COMMENT ON TABLE resources IS 'One row per resource (UUID) ever seen, with its dataset_id; deletion_reason removed = gone from its dataset, dataset_deleted = its dataset was deleted.';--> statement-breakpoint
COMMENT ON TABLE reuses IS 'One row per reuse ever seen; raw.datasets holds dataset ids only (links in reuse_datasets).';--> statement-breakpoint
COMMENT ON TABLE users IS 'One row per user ever seen (from the admin listing or by reference); created_at is the API''s since.';--> statement-breakpoint
COMMENT ON TABLE reuse_datasets IS 'Current links between a reuse and the datasets it uses.';--> statement-breakpoint
COMMENT ON TABLE organization_members IS 'Current members of each organization, with their role and since.';--> statement-breakpoint
COMMENT ON TABLE sync_runs IS 'Ledger of runs: mode full/incremental/organization, status running/succeeded/failed, counts, completeness per kind, error.';--> statement-breakpoint
COMMENT ON TABLE changes IS 'One row per real change seen: op insert/update/delete/restore, changed_fields = top-level keys, patch = RFC 6902 from old to new tracked object. Volatile fields (metrics, permissions, quality, crawler extras) never make a row.';--> statement-breakpoint
COMMENT ON TABLE rejected_records IS 'Records that failed validation, with the reason and the payload as received; the rest of their page was stored.';--> statement-breakpoint
COMMENT ON TABLE metric_snapshots IS 'Daily snapshot of each entity''s metrics (views, followers...).';--> statement-breakpoint
COMMENT ON COLUMN datasets.raw IS 'The dataset as the API returned it, without resources; embedded organization/owner display fields may be older than their own rows.';--> statement-breakpoint
COMMENT ON COLUMN datasets.last_modified_internal IS 'internal.last_modified_internal: moves on metadata edits and resource changes (the incremental sync compares it).';--> statement-breakpoint
COMMENT ON COLUMN datasets.last_update IS 'API last_update: harvest date if harvested, else latest resource change.';--> statement-breakpoint
COMMENT ON COLUMN datasets.archived_at IS 'Set when the dataset is archived: still alive, not a deletion.';--> statement-breakpoint
COMMENT ON COLUMN datasets.content_hash IS 'Hash of the tracked (non-volatile) fields; internal to the mirror.';--> statement-breakpoint
COMMENT ON COLUMN datasets.raw_hash IS 'Hash of raw; internal to the mirror (an equal hash means the row is not rewritten).';--> statement-breakpoint
COMMENT ON COLUMN datasets.first_seen_at IS 'When the mirror first stored this dataset.';--> statement-breakpoint
COMMENT ON COLUMN datasets.last_changed_at IS 'When the mirror last recorded a real change (see changes).';--> statement-breakpoint
COMMENT ON COLUMN datasets.deleted_at IS 'Tombstone: when the deletion was confirmed; null = present at the last complete run.';--> statement-breakpoint
COMMENT ON COLUMN datasets.deletion_reason IS 'deleted (API 410), not_found (API 404: purged or made private).';--> statement-breakpoint
COMMENT ON COLUMN resources.deletion_reason IS 'removed (gone from its dataset), dataset_deleted, deleted, not_found.';--> statement-breakpoint
COMMENT ON COLUMN users.fetched_at IS 'When the mirror last fetched this user in full (users have no modification date: refreshed in rotation).';--> statement-breakpoint
COMMENT ON COLUMN sync_runs.completeness IS 'Per kind: total announced by the API, distinct ids seen, pages fetched, failed pages, complete (deletions are only inferred from complete walks).';--> statement-breakpoint
COMMENT ON COLUMN sync_runs.counts_by_type IS 'Per entity type: seen, inserted, updated, restored, unchanged, deleted, rejected.';--> statement-breakpoint
COMMENT ON COLUMN changes.patch IS 'RFC 6902 operations from the old to the new tracked object; insert = add of the whole object at path "", delete = remove at "".';
