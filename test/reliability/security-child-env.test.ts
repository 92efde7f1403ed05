/**
 * An instrument process sees only what it needs: a bash sheet that dumps its whole environment
 * finds PATH and HOME, the names the operator listed in PODIUM_PASS_ENV, and none of the
 * server's own secrets (PODIUM_TOKEN, DATABASE_URL) or anything else of its environment. The
 * same holds for the other commands a score runs: command_succeeds validations,
 * skip_when_command and on_success run_command hooks.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitScore, waitForJob, type Endpoint } from "./support/client.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

const TOKEN = "podium-token-for-the-gateway-only-9f3a";

const SCORE = `name: child-env
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 1
prompt:
  template: |
    env > env.txt
`;

const COMMANDS_SCORE = `name: child-env-commands
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 1
  skip_when_command:
    1:
      command: "env > {workspace}/skip-env.txt; exit 1"
prompt:
  template: |
    echo played > played.txt
validations:
  - type: command_succeeds
    command: "env > validation-env.txt"
on_success:
  - type: run_command
    command: "env > hook-env.txt"
`;

function readEnvDump(file: string): { names: Set<string>; lines: string[] } {
  const lines = readFileSync(file, "utf8").split("\n");
  return { names: new Set(lines.map((line) => line.split("=")[0] ?? "")), lines };
}

let server: ServerProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  server = await startServerProcess({
    token: TOKEN,
    env: {
      PODIUM_PASS_ENV: "PODIUM_TEST_WANTED, PODIUM_TOKEN",
      PODIUM_TEST_WANTED: "wanted-value",
      PODIUM_TEST_UNLISTED: "unlisted-value",
      OPENAI_API_KEY: "sk-not-for-bash-sheets",
    },
  });
  endpoint = { url: server.url, wsUrl: server.wsUrl, token: TOKEN };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

describe("the environment of an instrument process", () => {
  it("holds the basics and the passed names, never the server's secrets", async () => {
    const job = await submitScore(endpoint, SCORE);
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(done.status).toBe("COMPLETED");
    const lines = readFileSync(path.join(done.workspace, "env.txt"), "utf8").split("\n");
    const names = new Set(lines.map((line) => line.split("=")[0]));
    expect(names.has("PATH")).toBe(true);
    expect(names.has("HOME")).toBe(true);
    expect(lines).toContain("PODIUM_TEST_WANTED=wanted-value");
    // Withheld even though PODIUM_PASS_ENV names it.
    expect(names.has("PODIUM_TOKEN")).toBe(false);
    expect(names.has("DATABASE_URL")).toBe(false);
    expect(names.has("PODIUM_TEST_UNLISTED")).toBe(false);
    expect(names.has("OPENAI_API_KEY")).toBe(false);
    const dump = lines.join("\n");
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain(server.dbPath);
    expect(dump).not.toContain(server.databaseUrl);
  });

  it("is the same minimal one for validation commands, skip commands and hooks", async () => {
    const job = await submitScore(endpoint, COMMANDS_SCORE);
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(done.status).toBe("COMPLETED");
    // The hook runs after the job is marked completed; give it a moment to write its file.
    const hookFile = path.join(done.workspace, "hook-env.txt");
    const deadline = Date.now() + 20_000;
    while (!existsSync(hookFile) && Date.now() < deadline) await sleep(100);
    for (const file of ["skip-env.txt", "validation-env.txt", "hook-env.txt"]) {
      const { names, lines } = readEnvDump(path.join(done.workspace, file));
      expect(names.has("PATH"), file).toBe(true);
      expect(lines, file).toContain("PODIUM_TEST_WANTED=wanted-value");
      expect(names.has("PODIUM_TOKEN"), file).toBe(false);
      expect(names.has("DATABASE_URL"), file).toBe(false);
      expect(names.has("PODIUM_TEST_UNLISTED"), file).toBe(false);
      expect(names.has("OPENAI_API_KEY"), file).toBe(false);
      expect(lines.join("\n"), file).not.toContain(TOKEN);
      expect(lines.join("\n"), file).not.toContain(server.dbPath);
      expect(lines.join("\n"), file).not.toContain(server.databaseUrl);
    }
  });
});
