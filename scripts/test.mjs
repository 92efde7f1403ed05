// `npm test`: set up, check types and lint, then run every test layer and end with one line
// `N passed, N failed`. `--reliability` runs the long reliability suite instead.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, chromiumPath, log, setup } from "./lib.mjs";

const reliabilityOnly = process.argv.includes("--reliability");
const browser = chromiumPath();
setup({ web: Boolean(browser) && !reliabilityOnly });

let passed = 0;
let failed = 0;

function check(name, command, args) {
  log(`${name}…`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  if (result.status === 0) passed += 1;
  else {
    failed += 1;
    log(`${name} FAILED`);
  }
}

const bin = (name) => path.join(ROOT, "node_modules", ".bin", name);

if (!reliabilityOnly) {
  check("typecheck", bin("tsc"), ["-p", "tsconfig.json", "--noEmit"]);
  check("lint", bin("eslint"), ["--max-warnings=0", "."]);
  check("format", bin("prettier"), ["--check", "--log-level=warn", "."]);
}

// `npm test` runs the reliability suite in its short form; `npm run test:reliability` in full.
const projects = reliabilityOnly
  ? ["reliability"]
  : ["unit", "regression", "integration", "reliability"];
if (!reliabilityOnly) {
  if (process.env.PODIUM_TEST_POSTGRES_URL) projects.push("postgresql");
  else log("PostgreSQL suites did NOT run: PODIUM_TEST_POSTGRES_URL is unset (.ci/run sets it)");
  if (browser) projects.push("e2e");
  else
    log(
      "browser tests did NOT run: no Chromium found (install Debian's `chromium`, or set CHROMIUM_PATH)",
    );
}

const reportDir = mkdtempSync(path.join(tmpdir(), "podium-test-"));
const report = path.join(reportDir, "vitest.json");
const vitest = spawnSync(
  bin("vitest"),
  [
    "run",
    ...projects.flatMap((p) => ["--project", p]),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ],
  {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      PODIUM_RELIABILITY: reliabilityOnly ? "full" : "short",
      CHROMIUM_PATH: browser ?? "",
    },
  },
);
try {
  const results = JSON.parse(readFileSync(report, "utf8"));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  if (results.numTotalTestSuites === 0 || results.numTotalTests === 0) failed += 1;
  // A file that fails to load has no tests but still fails the run.
  if (vitest.status !== 0 && results.numFailedTests === 0) failed += 1;
} catch {
  log("vitest wrote no report");
  failed += 1;
}
rmSync(reportDir, { recursive: true, force: true });

process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
