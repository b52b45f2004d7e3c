// `pnpm clerk:emulator`, kept for this repository's scripts: the same as `clerk-resync emulator`.
import { runMain } from "../main.ts";

runMain(["emulator", ...process.argv.slice(2)]);
