import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const serverEntry = path.join(repoRoot, "apps/server/src/main.ts");
export const webBuildDir = path.join(repoRoot, "apps/web/out");
