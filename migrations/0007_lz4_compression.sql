-- The JSON columns a sync writes most (every entity's raw, the changes' objects, rejected payloads)
-- are compressed with lz4 where the server is built with it: about half pglz's CPU to write and
-- faster to read, for a similar size. A server built without lz4 (the embedded one) keeps pglz; values
-- already stored keep their compression until rewritten. Hand-written: drizzle-kit does not model
-- column compression.
DO $$
BEGIN
  ALTER TABLE organizations ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE datasets ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE resources ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE reuses ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE users ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE dataservices ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE changes ALTER COLUMN patch SET COMPRESSION lz4;
  ALTER TABLE changes ALTER COLUMN old_values SET COMPRESSION lz4;
  ALTER TABLE changes ALTER COLUMN new_values SET COMPRESSION lz4;
  ALTER TABLE rejected_records ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'this server has no lz4: JSON columns keep pglz compression';
END $$;
--> statement-breakpoint
COMMENT ON COLUMN datasets.raw_hash IS 'Hash of the record as received (resources aside); internal to the mirror: an equal hash means the record is neither validated again nor rewritten.';
