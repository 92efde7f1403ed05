/**
 * A real Podium server process (`node --import tsx apps/server/src/main.ts`) on a free port, with
 * its own SQLite file and data folder. Tests about crashes and memory need a process they can
 * SIGKILL and whose RSS they can read; restarting on the same data folder reopens the same state.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot, serverEntry } from "./paths.ts";
import { suiteDatabase } from "../../support/databases.ts";

export interface ServerProcessOptions {
  /** Reuse a data folder (and its podium.db) to restart on the same state; a fresh one otherwise. */
  dataDir?: string;
  token?: string | null;
  webOrigins?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /** Start the server as the leader of a process group of its own (to kill the whole group). */
  ownProcessGroup?: boolean;
}

export interface ServerProcess {
  url: string;
  wsUrl: string;
  port: number;
  pid: number;
  dataDir: string;
  /** The SQLite file of the data folder (absent when the server runs on PostgreSQL). */
  dbPath: string;
  /** The DATABASE_URL the server was given (test/support/stored.ts reads what it stored). */
  databaseUrl: string;
  child: ChildProcess;
  /** Everything the process printed so far (kept for failure messages and leak checks). */
  output(): string;
  /** Resident set size now, in bytes; null once the process is gone. */
  rssBytes(): number | null;
  /** Resolves with the exit code (or signal name) when the process is gone. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const LISTENING = /Podium GraphQL on (http:\/\/\S+?\/graphql)/;

export function newDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "podium-reliability-"));
}

/**
 * With PODIUM_TEST_DATABASE=postgresql a data folder stands for a throw-away PostgreSQL database
 * too: created at its first start, named in the folder (so a restart reopens it), dropped with it.
 */
const POSTGRES_URL_FILE = ".postgres-url";

async function databaseUrlFor(dataDir: string): Promise<string> {
  if (process.env.PODIUM_TEST_DATABASE !== "postgresql")
    return `file:${path.join(dataDir, "podium.db")}`;
  const file = path.join(dataDir, POSTGRES_URL_FILE);
  if (existsSync(file)) return readFileSync(file, "utf8");
  const { url } = await suiteDatabase(dataDir);
  writeFileSync(file, url);
  return url;
}

export function removeDataDir(dataDir: string): void {
  const file = path.join(dataDir, POSTGRES_URL_FILE);
  if (existsSync(file)) {
    const url = new URL(readFileSync(file, "utf8"));
    const name = url.pathname.slice(1);
    url.pathname = "/postgres";
    // Synchronous like the rest of this function: psql comes with Debian's postgresql.
    spawnSync("psql", [
      "-q",
      url.toString(),
      "-c",
      `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
    ]);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

export function readRssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export async function startServerProcess(
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? newDataDir();
  try {
    return await launch(dataDir, options);
  } catch (error) {
    // A folder made for this start alone is not left behind by a failed start.
    if (!options.dataDir) removeDataDir(dataDir);
    throw error;
  }
}

async function launch(dataDir: string, options: ServerProcessOptions): Promise<ServerProcess> {
  const dbPath = path.join(dataDir, "podium.db");
  const databaseUrl = await databaseUrlFor(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    PODIUM_DATA_DIR: dataDir,
    PODIUM_TOKEN: options.token ?? "",
    PODIUM_WEB_ORIGIN: (options.webOrigins ?? ["http://127.0.0.1:3000"]).join(","),
    ...options.env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", serverEntry], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownProcessGroup ?? false,
  });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-200_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`server did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`),
      );
    }, options.startTimeoutMs ?? 60_000);
    const check = (): void => {
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  const port = Number(new URL(url).port);
  const pid = child.pid!;

  return {
    url,
    wsUrl: url.replace(/^http/, "ws"),
    port,
    pid,
    dataDir,
    dbPath,
    databaseUrl,
    child,
    output: () => output,
    rssBytes: () => readRssBytes(pid),
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const forced = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** Samples a process's RSS on an interval and keeps the peak. */
export class RssSampler {
  #timer: NodeJS.Timeout | null = null;
  #peak = 0;
  #samples = 0;

  constructor(
    readonly readRss: () => number | null,
    readonly intervalMs = 100,
  ) {}

  start(): this {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.intervalMs);
    return this;
  }

  stop(): { peakBytes: number; samples: number } {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#sample();
    return { peakBytes: this.#peak, samples: this.#samples };
  }

  get peakBytes(): number {
    return this.#peak;
  }

  #sample(): void {
    const rss = this.readRss();
    if (rss === null) return;
    this.#samples += 1;
    if (rss > this.#peak) this.#peak = rss;
  }
}

export const MB = 1024 * 1024;
