import { createClerkClient } from "@clerk/backend";
import { generateDataset, type DatasetOptions } from "../../src/clerk-emulator/dataset.ts";
import { seededRandom } from "../../src/clerk-emulator/ids.ts";
import { startClerkEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { EmulatorStore } from "../../src/clerk-emulator/store.ts";

/** An emulator on a free loopback port with a deterministic dataset. */
export async function startTestEmulator(dataset: Partial<DatasetOptions> = {}, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = dataset.seed ?? 7;
  const store = options.store ?? new EmulatorStore({ random: seededRandom(seed), instanceId: `ins_test${seed}` });
  generateDataset(store, { users: 0, orgs: 0, membershipsPerOrg: 0, seed, ...dataset });
  return startClerkEmulator({ ...options, store });
}

/** The real SDK, pointed at the emulator. */
export function sdkFor(emulator: RunningEmulator) {
  return createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
}
