import { createClerkClient } from "@clerk/backend";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";

/** An emulator on a free loopback port with a deterministic dataset: the package's own export. */
export { startEmulator as startTestEmulator } from "../../src/emulator.ts";

/** The real SDK, pointed at the emulator. */
export function sdkFor(emulator: RunningEmulator) {
  return createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
}
