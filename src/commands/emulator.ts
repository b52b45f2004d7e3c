// `clerk-resync emulator`: a Clerk Backend API emulator on loopback, for local runs without a key.
import { generateDataset } from "../clerk-emulator/dataset.ts";
import { DEFAULT_EMULATOR_PORT, secretKeyForSeed, seededRandom } from "../clerk-emulator/ids.ts";
import { startClerkEmulator, type RunningEmulator } from "../clerk-emulator/server.ts";
import { EmulatorStore } from "../clerk-emulator/store.ts";
import { warmJsonCache } from "../clerk-emulator/serialize.ts";
import { parseWebhookFaults, WebhookSender, webhookSecretFor } from "../clerk-emulator/webhook-sender.ts";
import { ConfigError, EXIT, UsageError, errorMessage } from "../errors.ts";
import { declarePublic } from "../redact.ts";
import { stopOnSignals, untilAborted } from "../stop-signals.ts";
import { defineCommand } from "./context.ts";

export const emulatorCommand = defineCommand({
  spec: {
    flags: {
      port: { type: "integer", value: "N", default: DEFAULT_EMULATOR_PORT, min: 0, max: 65535, description: "Port on 127.0.0.1 (0 = any free port)" },
      users: { type: "integer", value: "N", default: 100, description: "Users in the dataset" },
      orgs: { type: "integer", value: "M", default: 10, description: "Organizations" },
      "memberships-per-org": { type: "integer", value: "K", default: 5, description: "Memberships per organization" },
      seed: { type: "integer", value: "S", default: 1, description: "Dataset seed; the default secret key and instance id derive from it" },
      "secret-key": { type: "string", value: "KEY", description: "Accept this secret key instead of the one derived from the seed" },
      "rate-limit": { type: "boolean", description: "Enforce Clerk's rate limits (100 requests per 10 s for sk_test_ keys)" },
      "instance-id": { type: "string", value: "ID", description: "Instance id to report (default ins_emulator<seed>)" },
      "webhook-url": { type: "string", value: "URL", description: "Deliver every change, Svix-signed, to this endpoint (e.g. http://127.0.0.1:4020/webhooks/clerk)" },
      "webhook-secret": { type: "string", value: "WHSEC", description: "Signing secret (whsec_…); default derived from the seed" },
      "webhook-faults": { type: "string", value: "LIST", description: "Unkind delivery: duplicates,reorder,drops,delay (each optionally =value)" },
    },
    example: "clerk-resync emulator --users 10000 --orgs 500 --rate-limit --webhook-url http://127.0.0.1:4020/webhooks/clerk",
  },
  async run(ctx, { values }) {
    const seed = values.seed;
    const secretKey = values["secret-key"] ?? secretKeyForSeed(seed);
    if (!/^sk_(test|live)_\S+$/.test(secretKey)) throw new UsageError(`--secret-key must look like sk_test_…, got "${secretKey.slice(0, 8)}…"`);
    const webhooks = webhookOptions(values["webhook-url"], values["webhook-secret"], values["webhook-faults"], seed);
    const store = new EmulatorStore({ random: seededRandom(seed), instanceId: values["instance-id"] ?? `ins_emulator${String(seed).padStart(6, "0")}` });
    const t0 = performance.now();
    const counts = generateDataset(store, { users: values.users, orgs: values.orgs, membershipsPerOrg: values["memberships-per-org"], seed });
    warmJsonCache(store);
    let emulator: RunningEmulator;
    try {
      emulator = await startClerkEmulator({ store, port: values.port, secretKeys: [secretKey], rateLimit: values["rate-limit"] ? "clerk" : false });
    } catch (err) {
      if ((err as { code?: string }).code !== "EADDRINUSE") throw err;
      throw new ConfigError(`port ${values.port} is in use (another emulator or \`clerk-resync dev\`?); stop it, or pass --port N (--port 0 picks a free one)`, { cause: err });
    }
    // Before the ready lines: whoever reads them may signal at once.
    const stop = stopOnSignals(ctx.log, { what: "stopping the emulator" });
    // The emulator's key and signing secret are what the user copies into .env: not secrets.
    declarePublic([emulator.secretKey, ...(webhooks ? [webhooks.secret] : [])]);
    ctx.out.result({ url: emulator.url, secretKey: emulator.secretKey, instanceId: store.instanceId, ...counts, webhookSigningSecret: webhooks?.secret });
    ctx.out.line(
      [
        `Clerk API emulator on ${emulator.url} (instance ${store.instanceId})`,
        `dataset: ${counts.users} users, ${counts.orgs} organizations, ${counts.memberships} memberships (seed ${seed}, ${Math.round(performance.now() - t0)} ms)`,
        `rate limit: ${values["rate-limit"] ? "Clerk's (100 per 10 s for sk_test_ keys)" : "off"}`,
        "",
        "Put these in .env to point clerk-resync at it (the same on every start with this seed):",
        `CLERK_API_URL=${emulator.url}`,
        `CLERK_SECRET_KEY=${emulator.secretKey}`,
        ...(webhooks
          ? [
              "",
              `Webhooks: every change is delivered, Svix-signed, to ${webhooks.url}${values["webhook-faults"] ? ` (faults: ${values["webhook-faults"]})` : ""}; for the receiver:`,
              `CLERK_WEBHOOK_SIGNING_SECRET=${webhooks.secret}`,
            ]
          : []),
        "",
        "Ctrl-C stops it.",
      ].join("\n"),
    );
    const sender = webhooks ? new WebhookSender(store, { url: webhooks.url, secret: webhooks.secret, faults: webhooks.faults }) : undefined;
    await untilAborted(stop.signal);
    stop.dispose();
    sender?.close();
    await emulator.close();
    return EXIT.ok;
  },
});

/** The webhook flags, checked before anything starts. */
function webhookOptions(url: string | undefined, secretFlag: string | undefined, faultsFlag: string | undefined, seed: number) {
  if (!url) {
    if (secretFlag || faultsFlag) throw new UsageError("--webhook-secret and --webhook-faults need --webhook-url");
    return undefined;
  }
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--webhook-url must be an http(s) URL, got "${url}"`);
  const secret = secretFlag ?? webhookSecretFor(seed);
  if (!/^whsec_\S+$/.test(secret)) throw new UsageError(`--webhook-secret must look like whsec_…, got "${secret.slice(0, 8)}…"`);
  try {
    return { url, secret, faults: parseWebhookFaults(faultsFlag ?? "") };
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

