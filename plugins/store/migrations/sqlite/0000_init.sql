CREATE TABLE `chatkit_attachments` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `chatkit_items` (
	`seq` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`created_at` integer NOT NULL,
	`data` text NOT NULL,
	FOREIGN KEY (`tenant_id`,`user_id`,`thread_id`) REFERENCES `chatkit_threads`(`tenant_id`,`user_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chatkit_items_owner_thread_created_idx` ON `chatkit_items` (`tenant_id`,`user_id`,`thread_id`,`created_at`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `chatkit_items_owner_thread_id_key` ON `chatkit_items` (`tenant_id`,`user_id`,`thread_id`,`id`);--> statement-breakpoint
CREATE TABLE `chatkit_threads` (
	`seq` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`created_at` integer NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chatkit_threads_owner_created_idx` ON `chatkit_threads` (`tenant_id`,`user_id`,`created_at`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `chatkit_threads_owner_id_key` ON `chatkit_threads` (`tenant_id`,`user_id`,`id`);