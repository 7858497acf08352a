#!/usr/bin/env bun
/**
 * `bun create elysia-chatkit <dir> [flags]` runs this (as `bunx create-elysia-chatkit <dir> [flags]`): it is
 * `elysia-chatkit create <dir> [flags]`, i.e. `init` in a new or empty folder, from the package it depends on.
 */
import { runCli } from 'elysia-chatkit/cli'

await runCli(['create', ...process.argv.slice(2)])
