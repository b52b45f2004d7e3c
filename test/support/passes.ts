/**
 * CI runs the suite twice, on PostgreSQL and then on PGlite. A test whose subject does not depend
 * on the database kind (the package as installed, what the output never shows) runs on the first
 * pass only: .ci/run sets CLERK_RESYNC_SECOND_PASS on the second.
 */
export const onFirstPassOnly = process.env.CLERK_RESYNC_SECOND_PASS ? "ran on the first pass (CLERK_RESYNC_SECOND_PASS is set)" : false;
