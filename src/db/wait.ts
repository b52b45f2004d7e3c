/** Polls `attempt` until it gives a value; `onWait` runs once, before the first pause. */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, onWait: () => void, intervalMs = 500): Promise<T> {
  let told = false;
  for (;;) {
    const got = await attempt();
    if (got !== undefined) return got;
    if (!told) onWait();
    told = true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
