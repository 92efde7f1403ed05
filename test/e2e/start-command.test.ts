/**
 * `npm start` (scripts/start.mjs) as a person uses it: one server on the one port given answers
 * GraphQL and serves the dashboard, a current build is not rebuilt, and one Ctrl-C (SIGINT to the
 * start script) stops it with every process it started.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./support/processes.ts";
import { repoRoot } from "./support/paths.ts";

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function answers(url: string, init?: RequestInit): Promise<boolean> {
  const response = await fetch(url, init);
  return response.ok;
}

describe("npm start", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "podium-start-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves GraphQL and the dashboard on one port, and Ctrl-C leaves nothing running", async () => {
    // Whatever `npm run setup` leaves built is current: `npm start` must not build it again.
    execFileSync(process.execPath, ["scripts/setup.mjs"], { cwd: repoRoot, stdio: "ignore" });
    const port = await freePort();
    const start = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        WEB_PORT: "",
        DATABASE_URL: `file:${path.join(dataDir, "podium.db")}`,
        PODIUM_DATA_DIR: dataDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    start.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    start.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => start.once("exit", resolve));

    const origin = `http://127.0.0.1:${port}`;
    const healthy = () =>
      answers(`${origin}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ health { ok } }" }),
      });
    const dashboard = async () => {
      const response = await fetch(`${origin}/`);
      return response.ok && (await response.text()).includes("Podium");
    };
    expect(await waitFor(healthy, 90_000), output).toBe(true);
    expect(await waitFor(dashboard, 10_000), output).toBe(true);
    expect(output).toContain(`dashboard: ${origin}/`);
    expect(output).not.toContain("building the dashboard");
    expect(output).not.toMatch(/next (build|start)/);

    start.kill("SIGINT");
    expect(await exited, output).toBe(0);
    // The port answers no more: the server and its children are gone.
    expect(await healthy().catch(() => false)).toBe(false);
    expect(await dashboard().catch(() => false)).toBe(false);
  }, 150_000);
});
