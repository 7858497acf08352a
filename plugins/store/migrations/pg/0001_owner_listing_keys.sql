DROP INDEX "chatkit_items_owner_thread_created_idx";--> statement-breakpoint
DROP INDEX "chatkit_threads_owner_created_idx";--> statement-breakpoint
CREATE INDEX "chatkit_items_owner_thread_created_idx" ON "chatkit_items" USING btree ((array["tenant_id", "user_id", "thread_id"]),"created_at","seq");--> statement-breakpoint
CREATE INDEX "chatkit_threads_owner_created_idx" ON "chatkit_threads" USING btree ((array["tenant_id", "user_id"]),"created_at","seq");