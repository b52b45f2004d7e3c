import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The app's root: the nearest folder holding a package.json, from the working directory up. Never
 * the package's own location: installed, that is node_modules/clerk-resync (or a bundle).
 * pnpm and npm run scripts in the package's folder, so a script run from a subfolder still lands
 * on the app.
 */
export function findProjectRoot(from: string = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from);
    dir = parent;
  }
}
