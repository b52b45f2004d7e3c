/** Clerk secret keys look like sk_test_… / sk_live_…; none may reach logs, errors or files. */
const SECRET_KEY_PATTERN = /\bsk_(test|live)_[A-Za-z0-9_-]+/g;

export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text.replace(SECRET_KEY_PATTERN, "sk_$1_[REDACTED]");
  for (const secret of extraSecrets) {
    if (secret.length >= 8) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}
