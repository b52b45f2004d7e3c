// Preloaded into the Prisma CLI child. Its WASM schema engine arms a 10 s timer (the migration
// advisory-lock timeout) and never clears it, so every `migrate deploy/reset` lingers 10 s after
// finishing. Unref'ing long timers lets the process exit as soon as its real work is done; any
// pending socket or child process still keeps it alive.
"use strict";
const setTimeoutOriginal = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const timer = setTimeoutOriginal(fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && timer && typeof timer.unref === "function") timer.unref();
  return timer;
};
