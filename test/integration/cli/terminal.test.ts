/**
 * On a terminal, `podium run --watch` draws a progress bar per movement and a live sheet table
 * (a pseudo-terminal from util-linux `script` stands in for the user's).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repoRoot } from "../../reliability/support/paths.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../../reliability/support/server-process.ts";
import { cliEntry } from "./support.ts";

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

it("shows a bar per movement and the sheet table, and exits with the job's outcome", async () => {
  const score = path.join(repoRoot, "examples/fan-out-fan-in.yaml");
  const command = `${process.execPath} ${cliEntry} run ${score} --watch`;
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    cwd: repoRoot,
    env: { ...process.env, PODIUM_URL: server.url, PODIUM_TOKEN: "", COLUMNS: "120", LINES: "40" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  // Cursor movements and line clears, as a terminal would have drawn them.
  const text = stripVTControlCharacters(output);
  expect(code, text).toBe(0);
  expect(text).toMatch(/movement 1 \S+ 1\/1 sheets/);
  expect(text).toMatch(/movement 2 \S+ 3\/3 sheets/);
  expect(text).toMatch(/sheet\s+movement\s+status\s+instrument\s+attempts\s+cost/);
  expect(text).toMatch(/2 \(voice 1\)\s+2\s+completed\s+cli\s+1\s+\$0\.00/);
  expect(text).toMatch(/job \S+ "fan-out-fan-in": completed, 5\/5 sheets/);
  // The bars replaced the plain event lines.
  expect(text).not.toMatch(/sheet 1 sheet\.dispatched/);
});
