CREATE TABLE "chatkit_attachments" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"id" text NOT NULL,
	"data" json NOT NULL,
	CONSTRAINT "chatkit_attachments_pk" PRIMARY KEY("tenant_id","user_id","id")
);
--> statement-breakpoint
CREATE TABLE "chatkit_items" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "chatkit_items_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"thread_id" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"data" json NOT NULL,
	CONSTRAINT "chatkit_items_owner_thread_id_key" UNIQUE("tenant_id","user_id","thread_id","id")
);
--> statement-breakpoint
CREATE TABLE "chatkit_threads" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "chatkit_threads_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"id" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"data" json NOT NULL,
	CONSTRAINT "chatkit_threads_owner_id_key" UNIQUE("tenant_id","user_id","id")
);
--> statement-breakpoint
ALTER TABLE "chatkit_items" ADD CONSTRAINT "chatkit_items_thread_fk" FOREIGN KEY ("tenant_id","user_id","thread_id") REFERENCES "public"."chatkit_threads"("tenant_id","user_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chatkit_items_owner_thread_created_idx" ON "chatkit_items" USING btree ("tenant_id","user_id","thread_id","created_at","seq");--> statement-breakpoint
CREATE INDEX "chatkit_threads_owner_created_idx" ON "chatkit_threads" USING btree ("tenant_id","user_id","created_at","seq");