#!/usr/bin/env node
// The `clerk-resync` bin.
import { runMain } from "./main.ts";

runMain(process.argv.slice(2));
