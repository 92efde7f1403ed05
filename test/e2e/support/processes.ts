/**
 * Real processes for browser tests: the Podium server (`node --import tsx apps/server/src/main.ts`)
 * on a temporary SQLite file and data dir, serving GraphQL and the built dashboard on one port. It
 * runs in its own process group so that stopping it leaves nothing behind.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot, webDir } from "./paths.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

function launch(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const group = -(child.pid ?? 0);
      try {
        process.kill(group, "SIGTERM");
      } catch {
        return;
      }
      const killed = setTimeout(() => {
        try {
          process.kill(group, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/** Resolves when `url` answers with an HTTP status below 500; fails with the process output otherwise. */
export async function waitForHttp(
  url: string,
  running: RunningProcess,
  timeoutMs: number,
  init?: RequestInit,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "";
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      throw new Error(
        `process exited with ${running.child.exitCode} before ${url} answered:\n${running.output()}`,
      );
    }
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs} ms (${lastProblem}):\n${running.output()}`,
  );
}

export interface ServerPlace {
  port: number;
  /** Directory holding the SQLite file and the workspaces; reused across restarts. */
  dataDir: string;
}

export function newServerPlace(port: number): ServerPlace {
  return { port, dataDir: mkdtempSync(path.join(tmpdir(), "podium-e2e-")) };
}

export function graphqlUrl(port: number): string {
  return `http://127.0.0.1:${port}/graphql`;
}

/** The dashboard: the same server, the same port. */
export function dashboardUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Builds the dashboard's static export when it is missing (the server serves apps/web/out). */
export function ensureDashboardBuilt(): void {
  if (existsSync(path.join(webDir, "out/index.html"))) return;
  execFileSync(process.execPath, ["scripts/setup.mjs"], { cwd: repoRoot, stdio: "inherit" });
}

export async function startPodiumServer(
  place: ServerPlace,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<RunningProcess> {
  const running = launch(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(place.port),
      DATABASE_URL: `file:${path.join(place.dataDir, "podium.db")}`,
      PODIUM_DATA_DIR: place.dataDir,
      PODIUM_WEB_ORIGIN: "",
      PODIUM_TOKEN: "",
      ...extraEnv,
    },
  });
  // Any answer below 500 means it is listening (a 401 when a token is required is fine too).
  await waitForHttp(graphqlUrl(place.port), running, 60_000, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  return running;
}

/** POSTs one GraphQL operation to the server, for checks that do not go through the browser. */
export async function graphqlRequest<T>(
  port: number,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(graphqlUrl(port), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}
