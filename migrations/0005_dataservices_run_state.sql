CREATE TABLE "dataservice_datasets" (
	"dataservice_id" text NOT NULL,
	"dataset_id" text NOT NULL,
	CONSTRAINT "dataservice_datasets_dataservice_id_dataset_id_pk" PRIMARY KEY("dataservice_id","dataset_id")
);
--> statement-breakpoint
CREATE TABLE "dataservices" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text,
	"title" text,
	"organization_id" text,
	"owner_id" text,
	"base_api_url" text,
	"access_type" text,
	"tags" text[],
	"private" boolean,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"datasets_count" integer,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"raw_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"deletion_reason" text
);
--> statement-breakpoint
CREATE TABLE "run_seen_ids" (
	"run_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"id" text NOT NULL,
	CONSTRAINT "run_seen_ids_run_id_kind_id_pk" PRIMARY KEY("run_id","kind","id")
);
--> statement-breakpoint
CREATE INDEX "dataservice_datasets_dataset_id_idx" ON "dataservice_datasets" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "dataservices_organization_id_idx" ON "dataservices" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "dataservices_owner_id_idx" ON "dataservices" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "dataservices_slug_idx" ON "dataservices" USING btree ("slug");--> statement-breakpoint
CREATE VIEW live_dataservices AS SELECT * FROM dataservices WHERE deleted_at IS NULL;--> statement-breakpoint
COMMENT ON TABLE dataservices IS 'One row per data.gouv.fr dataservice (API of the catalog) ever seen; last_modified = the API''s metadata_modified_at; raw.datasets is the link object, the served datasets are in dataservice_datasets.';--> statement-breakpoint
COMMENT ON TABLE dataservice_datasets IS 'Current links between a dataservice and the datasets it serves.';--> statement-breakpoint
COMMENT ON TABLE run_seen_ids IS 'Run state: ids each listing walk of a running run saw, for its deletion sweep; rows of ended runs are dropped when the next run opens.';--> statement-breakpoint
COMMENT ON VIEW live_dataservices IS 'Dataservices present at the last complete run (no tombstone).';
