/** The `podium` command as a real child process, and scores written to a temporary folder. */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../../reliability/support/paths.ts";

export const cliEntry = path.join(repoRoot, "apps/cli/bin/podium.mjs");

export interface CliRun {
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  output(): string;
  /** Resolves once the output matches (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(): void;
}

export function podium(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [cliEntry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, PODIUM_URL: "", PODIUM_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const keep = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return {
    exited,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`timed out waiting for ${pattern}:\n${output}`)),
          timeoutMs,
        );
        const check = (): void => {
          if (pattern.test(output)) done();
        };
        const done = (error?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        void exited.then((code) =>
          done(
            pattern.test(output)
              ? undefined
              : new Error(`exited (${code}) before ${pattern}:\n${output}`),
          ),
        );
        check();
      });
    },
    kill: () => child.kill("SIGKILL"),
  };
}

export function scoreDir(): string {
  return mkdtempSync(path.join(tmpdir(), "podium-cli-"));
}

export function writeScore(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A bash score of `count` sheets, each running `script`. */
export function bashScore(name: string, script: string, count = 1): string {
  return [
    `name: ${name}`,
    "instrument: cli",
    "pause_between_sheets_seconds: 0",
    "sheet:",
    "  size: 1",
    `  total_items: ${count}`,
    "retry:",
    "  max_retries: 0",
    "prompt:",
    "  template: |",
    ...script.split("\n").map((line) => `    ${line}`),
    "",
  ].join("\n");
}

export function freePort(): Promise<number> {
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
