// Shared plumbing for the two commands of the README (`npm start`, `npm test`) and `npm run bench`.
// Only Node and npm are assumed on the machine; everything else is installed here on first use.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PNPM_VERSION = "12.21.0";
const STAMPS = path.join(ROOT, "node_modules", ".podium-stamps");

export function log(message) {
  process.stdout.write(`[podium] ${message}\n`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: "inherit",
    env: process.env,
    ...options,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
}

function hashFiles(files) {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file);
    hash.update(existsSync(file) ? readFileSync(file) : "<missing>");
  }
  return hash.digest("hex");
}

function walk(dir, skip) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, skip));
    else out.push(full);
  }
  return out.sort();
}

/** Runs `step` unless the inputs' hash matches the one recorded after its last success. */
function once(name, inputs, step, { outputs = [] } = {}) {
  const stampFile = path.join(STAMPS, name);
  const digest = hashFiles(inputs);
  const fresh =
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === digest &&
    outputs.every((output) => existsSync(output));
  if (fresh) return false;
  step();
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(stampFile, digest);
  return true;
}

function commandVersion(command) {
  const result = spawnSync(command, ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** A pnpm of the pinned version: the global one if it matches, else one kept in .tools/. */
export function pnpmCommand() {
  if (commandVersion("pnpm") === PNPM_VERSION) return "pnpm";
  const local = path.join(ROOT, ".tools", "node_modules", ".bin", "pnpm");
  if (!existsSync(local) || commandVersion(local) !== PNPM_VERSION) {
    log(`installing pnpm ${PNPM_VERSION} into .tools/ (npm is the only thing assumed)`);
    run("npm", [
      "install",
      "--prefix",
      path.join(ROOT, ".tools"),
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `pnpm@${PNPM_VERSION}`,
    ]);
  }
  return local;
}

/**
 * Installs packages, generates the Prisma client and (optionally) builds the dashboard: a static
 * export in apps/web/out that the server serves. Each step is stamped with a hash of its inputs,
 * so a later start skips the build while apps/web's sources are unchanged.
 */
export function setup({ web = false } = {}) {
  // better-sqlite3 compiles against Node's own headers; without this node-gyp tries to download them.
  if (!process.env.npm_config_nodedir && existsSync("/usr/include/node/node.h")) {
    process.env.npm_config_nodedir = "/usr";
  }
  const pnpm = pnpmCommand();
  const manifests = [
    "pnpm-lock.yaml",
    "pnpm-workspace.yaml",
    "package.json",
    "apps/server/package.json",
    "apps/web/package.json",
  ].map((file) => path.join(ROOT, file));
  if (
    once(
      "install",
      manifests,
      () => {
        log("installing packages (the first time compiles better-sqlite3: about a minute)");
        run(pnpm, ["install", "--frozen-lockfile"]);
      },
      { outputs: [path.join(ROOT, "node_modules", ".bin", "vitest")] },
    )
  )
    log("packages installed");

  // One client per backend: SQLite (prisma/schema.prisma) and PostgreSQL (prisma/postgresql/).
  const clients = [
    { name: "prisma-generate", schema: "prisma/schema.prisma", config: [], output: "prisma" },
    {
      name: "prisma-generate-postgresql",
      schema: "prisma/postgresql/schema.prisma",
      config: ["--config", "prisma/postgresql/prisma.config.ts"],
      output: "prisma-postgresql",
    },
  ];
  for (const client of clients) {
    const generated = path.join(ROOT, "apps/server/src/generated", client.output, "client.ts");
    if (
      once(
        client.name,
        [path.join(ROOT, client.schema)],
        () => {
          log(`generating the Prisma client of ${client.schema}`);
          run(pnpm, ["exec", "prisma", "generate", ...client.config], {
            env: {
              ...process.env,
              PRISMA_HIDE_UPDATE_MESSAGE: "1",
              // Generating never connects; the URL is only read by the config's adapter factory.
              DATABASE_URL: process.env.DATABASE_URL ?? "file:./data/podium.db",
            },
          });
        },
        { outputs: [generated] },
      )
    )
      log(`Prisma client of ${client.schema} generated`);
  }

  if (web) {
    const webDir = path.join(ROOT, "apps/web");
    const sources = [
      ...walk(webDir, new Set(["node_modules", ".next", "out", "next-env.d.ts", "README.md"])),
      path.join(ROOT, "apps/server/schema.graphql"),
    ];
    if (
      once(
        "web-build",
        sources,
        () => {
          log("building the dashboard (next build: a static export served by the server)");
          run(pnpm, ["--filter", "@podium/web", "build"]);
        },
        { outputs: [path.join(webDir, "out", "index.html")] },
      )
    )
      log("dashboard built");
  }
  return { pnpm };
}

export function chromiumPath() {
  for (const candidate of [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ]) {
    if (candidate && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

export function spawnGroup(command, args, options) {
  // Each child leads its own process group, so one signal ends it with all of its descendants.
  return spawn(command, args, { cwd: ROOT, stdio: "inherit", detached: true, ...options });
}

export function killGroup(child, signal = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
