/**
 * The JSON log is written in batches: what is logged just before the process ends (by exit, by
 * an uncaught error, or on a fatal line) is on disk all the same, in order, and a line logged
 * while the server is otherwise idle does not wait for the next one.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../reliability/support/paths.ts";

const LOGGER = path.join(repoRoot, "apps/server/src/ops/logger.ts");

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** Runs `body` in a fresh Node process with `log` writing JSON lines to a file; returns the file. */
function runLogging(body: string): {
  file: string;
  exited: Promise<number | null>;
  kill(): void;
} {
  dir = mkdtempSync(path.join(tmpdir(), "podium-log-"));
  const file = path.join(dir, "server.log");
  const script = [
    `import { openSync } from "node:fs";`,
    `import { createLogger } from ${JSON.stringify(LOGGER)};`,
    `const log = createLogger({ logFormat: "json", logLevel: "info" }, openSync(${JSON.stringify(file)}, "a"));`,
    body,
  ].join("\n");
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "ignore"],
  });
  return {
    file,
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    kill: () => child.kill("SIGKILL"),
  };
}

function messages(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

const LINES = 'for (let i = 0; i < 500; i++) log.info({ sheet: i }, "line " + i);';
const expected = (last: string): string[] => [
  ...Array.from({ length: 500 }, (_, i) => `line ${i}`),
  last,
];

describe("batched JSON log", () => {
  it("has the last line logged before process.exit on disk, after every earlier one", async () => {
    const run = runLogging(`${LINES}\nlog.info("last words");\nprocess.exit(0);`);
    expect(await run.exited).toBe(0);
    expect(messages(run.file)).toEqual(expected("last words"));
  });

  it("has the lines logged before an uncaught error on disk", async () => {
    const run = runLogging(`${LINES}\nlog.error("about to fail");\nthrow new Error("boom");`);
    expect(await run.exited).toBe(1);
    expect(messages(run.file)).toEqual(expected("about to fail"));
  });

  it("writes a fatal line at once, before the process is killed", async () => {
    const run = runLogging(
      `${LINES}\nlog.fatal("fatal now");\nprocess.kill(process.pid, "SIGKILL");`,
    );
    await run.exited;
    expect(messages(run.file)).toEqual(expected("fatal now"));
  });

  it("writes a lone line while the process stays idle", async () => {
    const run = runLogging(`log.info("lone line");\nsetInterval(() => {}, 1000);`);
    try {
      let seen: string[] = [];
      for (let waited = 0; waited < 10_000 && seen.length === 0; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = messages(run.file);
      }
      expect(seen).toEqual(["lone line"]);
    } finally {
      run.kill();
      await run.exited;
    }
  });
});
