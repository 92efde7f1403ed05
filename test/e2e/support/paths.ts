import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const webDir = path.join(repoRoot, "apps/web");
export const screenshotsDir = path.join(repoRoot, "artifacts/screenshots");
