// `pnpm clerk:emulator`: a Clerk Backend API emulator on loopback, for local runs without a key.
import { parseArgs } from "node:util";
import { generateDataset } from "./dataset.ts";
import { startClerkEmulator } from "./server.ts";
import { EmulatorStore } from "./store.ts";
import { warmJsonCache } from "./serialize.ts";
import { seededRandom } from "./ids.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    users: { type: "string", default: "100" },
    orgs: { type: "string", default: "10" },
    "memberships-per-org": { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
    "secret-key": { type: "string" },
    "rate-limit": { type: "boolean", default: false },
    "instance-id": { type: "string" },
  },
});

const seed = Number(values.seed);
const store = new EmulatorStore({ random: seededRandom(seed), instanceId: values["instance-id"] ?? `ins_emulator${String(seed).padStart(6, "0")}` });
const t0 = performance.now();
const counts = generateDataset(store, {
  users: Number(values.users),
  orgs: Number(values.orgs),
  membershipsPerOrg: Number(values["memberships-per-org"]),
  seed,
});
warmJsonCache(store);
const emulator = await startClerkEmulator({
  store,
  port: Number(values.port),
  secretKeys: values["secret-key"] ? [values["secret-key"]] : undefined,
  rateLimit: values["rate-limit"] ? "clerk" : false,
});
process.stdout.write(
  [
    `Clerk API emulator on ${emulator.url} (instance ${store.instanceId})`,
    `dataset: ${counts.users} users, ${counts.orgs} organizations, ${counts.memberships} memberships (seed ${seed}, ${Math.round(performance.now() - t0)} ms)`,
    `rate limit: ${values["rate-limit"] ? "Clerk's (100 per 10 s for sk_test_ keys)" : "off"}`,
    "",
    "Put these in .env to point clerk-resync at it:",
    `CLERK_API_URL=${emulator.url}`,
    `CLERK_SECRET_KEY=${emulator.secretKey}`,
    "",
    "Ctrl-C stops it.",
    "",
  ].join("\n"),
);
const stop = () => void emulator.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
