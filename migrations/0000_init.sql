CREATE TABLE "changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"op" text NOT NULL,
	"changed_fields" text[] NOT NULL,
	"patch" jsonb NOT NULL,
	"observed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text,
	"title" text,
	"acronym" text,
	"organization_id" text,
	"owner_id" text,
	"license" text,
	"frequency" text,
	"tags" text[],
	"badges" text[],
	"private" boolean,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"last_modified_internal" timestamp with time zone,
	"last_update" timestamp with time zone,
	"temporal_coverage_start" date,
	"temporal_coverage_end" date,
	"resources_count" integer,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"raw_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"deletion_reason" text
);
--> statement-breakpoint
CREATE TABLE "metric_snapshots" (
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"day" date NOT NULL,
	"metrics" jsonb NOT NULL,
	CONSTRAINT "metric_snapshots_entity_type_entity_id_day_pk" PRIMARY KEY("entity_type","entity_id","day")
);
--> statement-breakpoint
CREATE TABLE "organization_members" (
	"organization_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text,
	"since" timestamp with time zone,
	CONSTRAINT "organization_members_organization_id_user_id_pk" PRIMARY KEY("organization_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text,
	"name" text,
	"acronym" text,
	"business_number_id" text,
	"badges" text[],
	"created_at" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"raw_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"deletion_reason" text
);
--> statement-breakpoint
CREATE TABLE "rejected_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"source_url" text NOT NULL,
	"reason" text NOT NULL,
	"payload" jsonb,
	"rejected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" text PRIMARY KEY NOT NULL,
	"dataset_id" text NOT NULL,
	"title" text,
	"url" text,
	"format" text,
	"type" text,
	"filetype" text,
	"mime" text,
	"filesize" bigint,
	"checksum_type" text,
	"checksum_value" text,
	"created_at" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"raw_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"deletion_reason" text
);
--> statement-breakpoint
CREATE TABLE "reuse_datasets" (
	"reuse_id" text NOT NULL,
	"dataset_id" text NOT NULL,
	CONSTRAINT "reuse_datasets_reuse_id_dataset_id_pk" PRIMARY KEY("reuse_id","dataset_id")
);
--> statement-breakpoint
CREATE TABLE "reuses" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text,
	"title" text,
	"type" text,
	"topic" text,
	"url" text,
	"organization_id" text,
	"owner_id" text,
	"tags" text[],
	"private" boolean,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"raw_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"deletion_reason" text
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mode" text NOT NULL,
	"scope" text,
	"kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"seen" integer DEFAULT 0 NOT NULL,
	"inserted" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"restored" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"completeness" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"counts_by_type" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text,
	"first_name" text,
	"last_name" text,
	"created_at" timestamp with time zone,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"raw_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"deletion_reason" text
);
--> statement-breakpoint
CREATE INDEX "changes_entity_idx" ON "changes" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "changes_run_id_idx" ON "changes" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "changes_observed_at_idx" ON "changes" USING btree ("observed_at");--> statement-breakpoint
CREATE INDEX "datasets_organization_id_idx" ON "datasets" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "datasets_owner_id_idx" ON "datasets" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "datasets_slug_idx" ON "datasets" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "datasets_last_modified_idx" ON "datasets" USING btree ("last_modified");--> statement-breakpoint
CREATE INDEX "datasets_tags_idx" ON "datasets" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "organization_members_user_id_idx" ON "organization_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "organizations_slug_idx" ON "organizations" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "rejected_records_run_id_idx" ON "rejected_records" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "resources_dataset_id_idx" ON "resources" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "resources_format_idx" ON "resources" USING btree ("format");--> statement-breakpoint
CREATE INDEX "reuse_datasets_dataset_id_idx" ON "reuse_datasets" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "reuses_organization_id_idx" ON "reuses" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "reuses_owner_id_idx" ON "reuses" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "sync_runs_started_at_idx" ON "sync_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "sync_runs_status_idx" ON "sync_runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "users_slug_idx" ON "users" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "users_fetched_at_idx" ON "users" USING btree ("fetched_at");