/**
 * /health, /ready and /metrics of a real server process, and its structured log: with a token
 * (only /health open) and without (loopback Host names only).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { repoRoot } from "../../reliability/support/paths.ts";
import { query } from "../../reliability/support/client.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../../reliability/support/server-process.ts";
import { podium } from "../cli/support.ts";

const TOKEN = "ops-test-token";
let server: ServerProcess;

function base(url: string): string {
  return url.replace(/\/graphql$/, "");
}

beforeAll(async () => {
  server = await startServerProcess({ token: TOKEN, env: { PODIUM_LOG_FORMAT: "json" } });
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe("with a token", () => {
  it("answers /health without it and /ready, /metrics only with it", async () => {
    const health = await fetch(`${base(server.url)}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    expect((await fetch(`${base(server.url)}/ready`)).status).toBe(401);
    expect((await fetch(`${base(server.url)}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base(server.url)}/metrics`, { headers: { authorization: "Bearer wrong" } }))
        .status,
    ).toBe(401);

    const ready = await fetch(`${base(server.url)}/ready`, { headers: auth });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, database: true, recovery: true });
  });

  it("shows a finished job, its sheets per instrument, durations and commits in /metrics", async () => {
    const run = podium(["run", path.join(repoRoot, "examples/linear-pipeline.yaml"), "--watch"], {
      PODIUM_URL: server.url,
      PODIUM_TOKEN: TOKEN,
    });
    expect(await run.exited).toBe(0);
    const response = await fetch(`${base(server.url)}/metrics`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const metrics = await response.text();
    expect(metrics).toMatch(/^podium_jobs\{status="completed"\} 1$/m);
    expect(metrics).toMatch(/^podium_jobs\{status="running"\} 0$/m);
    expect(metrics).toMatch(/^podium_sheets_dispatched_total\{instrument="cli"\} 3$/m);
    expect(metrics).toMatch(/^podium_sheets_completed_total\{instrument="cli"\} 3$/m);
    expect(metrics).toMatch(
      /^podium_attempt_duration_seconds_count\{instrument="cli",outcome="completed"\} 3$/m,
    );
    expect(metrics).toMatch(/^podium_jobs_ended_total\{outcome="completed"\} 1$/m);
    expect(metrics).toMatch(/^podium_commit_duration_seconds_count [1-9]\d*$/m);
    expect(metrics).toMatch(/^podium_open_subscriptions 0$/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it("logs the boot report and job lifecycle as JSON lines", async () => {
    const data = await query<{ jobs: { edges: { node: { id: string } }[] } }>(
      { url: server.url, wsUrl: server.wsUrl, token: TOKEN },
      "{ jobs(first: 1) { edges { node { id } } } }",
    );
    const jobId = data.jobs.edges[0]!.node.id;
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === "nothing to recover")).toMatchObject({
      level: 30,
      recoveredJobs: 0,
    });
    const lifecycle = lines.filter((line) => line.job === jobId).map((line) => line.msg);
    expect(lifecycle).toEqual(
      expect.arrayContaining(["job.submitted", "job.started", "job.completed"]),
    );
    const sheetLines = lines.filter((line) => line.job === jobId && line.sheet === 2);
    expect(sheetLines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(["sheet.dispatched", "sheet.completed"]),
    );
    expect(sheetLines.find((line) => line.msg === "sheet.dispatched")).toMatchObject({
      level: 30,
      instrument: "cli",
      attempt: 1,
    });
  });
});

describe("without a token", () => {
  it("answers /ready and /metrics to loopback Host names only", async () => {
    const open = await startServerProcess();
    try {
      const ready = await fetch(`${base(open.url)}/ready`);
      expect(ready.status).toBe(200);
      const metrics = await fetch(`${base(open.url)}/metrics`);
      expect(metrics.status).toBe(200);
      // A page re-pointing its own name at 127.0.0.1 sends that name as Host.
      const { request } = await import("node:http");
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${base(open.url)}/metrics`,
          { headers: { host: "evil.example:80" } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.once("error", reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await open.stop();
      removeDataDir(open.dataDir);
    }
  });
});
