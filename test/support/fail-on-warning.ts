// Loaded into every test process (scripts/run-tests.ts): a process warning (a deprecation, a
// listener leak, a pg misuse) fails the suite instead of scrolling by, so no new one slips in.
process.on("warning", (warning) => {
  process.exitCode = 1;
  process.stderr.write(`process warning (the test suite fails on any): ${warning.name}: ${warning.message}\n${warning.stack ?? ""}\n`);
});
