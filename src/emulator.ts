// `clerk-resync/emulator`: the Clerk Backend API emulator, for an app's own tests. Point
// `@clerk/backend` (or clerk-resync) at `url` with `secretKey`.
import { generateDataset, type DatasetOptions } from "./clerk-emulator/dataset.ts";
import { seededRandom } from "./clerk-emulator/ids.ts";
import { startClerkEmulator, type EmulatorOptions, type RunningEmulator } from "./clerk-emulator/server.ts";
import { EmulatorStore } from "./clerk-emulator/store.ts";

export { startClerkEmulator, EmulatorStore, generateDataset, type DatasetOptions, type EmulatorOptions, type RunningEmulator };

/** An emulator on a free loopback port (unless `options.port`) with a deterministic dataset (none by default). */
export async function startEmulator(dataset: Partial<DatasetOptions> = {}, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = dataset.seed ?? 7;
  const store = options.store ?? new EmulatorStore({ random: seededRandom(seed), instanceId: `ins_test${seed}` });
  generateDataset(store, { users: 0, orgs: 0, membershipsPerOrg: 0, seed, ...dataset });
  return startClerkEmulator({ ...options, store });
}
