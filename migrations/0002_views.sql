-- Ready views for analysts: the live catalog (no tombstones) and changes per day, entity type and organization.
CREATE VIEW live_organizations AS SELECT * FROM organizations WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE VIEW live_datasets AS SELECT * FROM datasets WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE VIEW live_resources AS
  SELECT r.* FROM resources r JOIN datasets d ON d.id = r.dataset_id AND d.deleted_at IS NULL
   WHERE r.deleted_at IS NULL;--> statement-breakpoint
CREATE VIEW live_reuses AS SELECT * FROM reuses WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE VIEW live_users AS SELECT * FROM users WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE VIEW changes_per_day AS
  SELECT (c.observed_at AT TIME ZONE 'UTC')::date AS day,
         c.entity_type,
         CASE c.entity_type
           WHEN 'organization' THEN c.entity_id
           WHEN 'dataset' THEN d.organization_id
           WHEN 'resource' THEN rd.organization_id
           WHEN 'reuse' THEN u.organization_id
         END AS organization_id,
         c.op,
         count(*)::int AS changes
    FROM changes c
    LEFT JOIN datasets d ON c.entity_type = 'dataset' AND d.id = c.entity_id
    LEFT JOIN resources r ON c.entity_type = 'resource' AND r.id = c.entity_id
    LEFT JOIN datasets rd ON rd.id = r.dataset_id
    LEFT JOIN reuses u ON c.entity_type = 'reuse' AND u.id = c.entity_id
   GROUP BY 1, 2, 3, 4;--> statement-breakpoint
COMMENT ON VIEW live_datasets IS 'Datasets present at the last complete run (no tombstone). Same for live_organizations, live_reuses, live_users.';--> statement-breakpoint
COMMENT ON VIEW live_resources IS 'Resources without tombstone whose dataset has none either.';--> statement-breakpoint
COMMENT ON VIEW changes_per_day IS 'Count of changes per UTC day, entity type, organization (of the entity, or of the resource''s dataset; null for users) and op.';
