/**
 * The dashboard's static build, which the server serves: built here (`npm run setup`) when
 * missing, and listed as the page routes the server answers.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { repoRoot, webBuildDir } from "./paths.ts";

export function ensureDashboardBuilt(): void {
  if (existsSync(path.join(webBuildDir, "index.html"))) return;
  execFileSync(process.execPath, ["scripts/setup.mjs"], { cwd: repoRoot, stdio: "inherit" });
}

/** Every file of the build, relative to it (`index.html`, `_next/static/chunks/…`). */
export function buildFiles(dir = webBuildDir, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? buildFiles(path.join(dir, entry.name), relative) : [relative];
  });
}

/** The path each HTML page is served at: `index.html` -> `/`, `new.html` -> `/new`. */
export function pageRoutes(): string[] {
  return buildFiles()
    .filter((file) => file.endsWith(".html"))
    .map((file) => `/${file.slice(0, -".html".length)}`.replace(/(^|\/)index$/, "$1") || "/");
}
