// `npm run bench`: the opt-in benchmarks (test/perf). Each figure prints as one line:
// `bench: <name> <value> <unit> | baseline <value> <unit> | ratio <r>`.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT, chromiumPath, setup } from "./lib.mjs";

const browser = chromiumPath();
setup({ web: Boolean(browser) });
const filters = process.argv.slice(2);
const result = spawnSync(
  path.join(ROOT, "node_modules", ".bin", "vitest"),
  ["run", "--project", "perf", "--reporter=default", ...filters],
  {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, PODIUM_BENCH: "1", CHROMIUM_PATH: browser ?? "" },
  },
);
process.exit(result.status ?? 1);
