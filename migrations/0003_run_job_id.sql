ALTER TABLE "sync_runs" ADD COLUMN "job_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_job_id_idx" ON "sync_runs" USING btree ("job_id");