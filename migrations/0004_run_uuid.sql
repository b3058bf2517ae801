DROP INDEX "sync_runs_job_id_idx";--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "uuid" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_uuid_idx" ON "sync_runs" USING btree ("uuid");--> statement-breakpoint
CREATE INDEX "sync_runs_job_id_idx" ON "sync_runs" USING btree ("job_id");--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."uuid" IS 'The run''s identity for good: queue job ids and payloads carry it, so a recreated database or a reset Redis never makes a job join or skip another run.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."job_id" IS 'The queue job that opened the run (informative: BullMQ ids restart when Redis is reset).';
