/**
 * The `podium` CLI as users run it: a child process speaking GraphQL to a real server process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { hostname } from "node:os";
import { writeFileSync } from "node:fs";
import { repoRoot } from "../../reliability/support/paths.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../../reliability/support/server-process.ts";
import { bashScore, podium, scoreDir, writeScore } from "./support.ts";

let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  server = await startServerProcess();
  dir = scoreDir();
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

const env = (): NodeJS.ProcessEnv => ({ PODIUM_URL: server.url });

describe("podium run --watch", () => {
  it("follows a score to its end and exits 0 when the job completes", async () => {
    const run = podium(
      ["run", path.join(repoRoot, "examples/linear-pipeline.yaml"), "--watch"],
      env(),
    );
    expect(await run.exited).toBe(0);
    const output = run.output();
    expect(output).toMatch(/submitted job \S+ "linear-pipeline" \(3 sheets\)/);
    expect(output).toMatch(/sheet 3 sheet\.completed/);
    expect(output).toMatch(/job \S+ "linear-pipeline": completed, 3\/3 sheets/);
    // Plain output (not a terminal) ends with the sheet table.
    expect(output).toMatch(/^3\s+3\s+completed\s+cli\s+1\s+\$0\.00$/m);
  });

  it("exits non-zero when the job fails", async () => {
    const file = writeScore(dir, "fails.yaml", bashScore("fails", "echo about to fail\nexit 3"));
    const run = podium(["run", file, "--watch"], env());
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/job \S+ "fails": failed, 0\/1 sheets/);
  });

  it("inlines template_file read relative to the score file", async () => {
    const sub = scoreDir();
    writeFileSync(path.join(sub, "step.sh"), "echo from-template-file > out.txt\n");
    const text = bashScore("templated", "unused").replace(
      /prompt:[\s\S]*$/,
      "prompt:\n  template_file: step.sh\n",
    );
    const file = writeScore(sub, "templated.yaml", text);
    const run = podium(["run", file, "--watch"], env());
    expect(await run.exited).toBe(0);
    const jobId = /submitted job (\S+)/.exec(run.output())![1]!;
    const status = podium(["status", jobId], env());
    expect(await status.exited).toBe(0);
    expect(status.output()).toMatch(/completed, 1\/1 sheets/);
  });

  it("reports a score the server rejects at file:line:column and exits 1", async () => {
    const file = writeScore(
      dir,
      "rejected.yaml",
      "name: rejected\nsheet:\n  size: 1\n  total_items: 1\nprompt:\n  tempalte: x\n",
    );
    const run = podium(["run", file], env());
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`${file}:6:3: error: prompt.tempalte: unknown key 'tempalte'`);
  });

  it("exits 3 with a clear message when no server answers", async () => {
    const run = podium(["status"], { PODIUM_URL: "http://127.0.0.1:9/graphql" });
    expect(await run.exited).toBe(3);
    expect(run.output()).toContain("cannot reach the Podium server at http://127.0.0.1:9/graphql");
  });
});

describe("podium validate", () => {
  it("points at the line and column of each problem and exits 1", async () => {
    const file = writeScore(
      dir,
      "broken.yaml",
      [
        "name: broken",
        "sheet:",
        "  size: 1",
        "  total_items: 2",
        "prompt:",
        "  template: hi",
        "retry:",
        "  max_retriez: 2",
        "",
      ].join("\n"),
    );
    const run = podium(["validate", file]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `${file}:8:3: error: retry.max_retriez: unknown key 'max_retriez' (did you mean 'max_retries'?)`,
    );
  });

  it("prints warnings after a valid score and exits 0, without a server", async () => {
    const file = writeScore(
      dir,
      "warned.yaml",
      [
        "name: warned",
        "sheet:",
        "  size: 1",
        "  total_items: 1",
        "  total_sheets: 9",
        "prompt:",
        "  template: hi",
        "",
      ].join("\n"),
    );
    const run = podium(["validate", file], { PODIUM_URL: "http://127.0.0.1:9/graphql" });
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain(`${file}:5:3: warning: sheet.total_sheets: ignored`);
    expect(run.output()).toContain(`${file}: valid, 1 sheets in 1 movements, 1 warnings`);
  });
});

describe("podium status, logs, pause, resume, cancel", () => {
  it("steers a running job and prints its log", async () => {
    const file = writeScore(dir, "slow.yaml", bashScore("slow", "sleep 30", 2));
    const run = podium(["run", file], env());
    expect(await run.exited).toBe(0);
    const jobId = /submitted job (\S+)/.exec(run.output())![1]!;

    const paused = podium(["pause", jobId], env());
    expect(await paused.exited).toBe(0);
    expect(paused.output()).toContain(`job ${jobId}: paused`);

    const list = podium(["status"], env());
    expect(await list.exited).toBe(0);
    expect(list.output()).toMatch(new RegExp(`${jobId}\\s+slow\\s+paused`));
    // The process playing it is named on its line.
    expect(list.output()).toMatch(new RegExp(`${jobId}.*\\s${hostname()}\\s*$`, "m"));

    const processes = podium(["processes"], env());
    expect(await processes.exited).toBe(0);
    expect(processes.output()).toMatch(
      new RegExp(
        `^${hostname()} \\*\\s+alive\\s+\\d+/10\\s+1\\s+\\d+s\\s+any\\s+\\S+:${server.pid}`,
        "m",
      ),
    );

    const cancelled = podium(["cancel", jobId], env());
    expect(await cancelled.exited).toBe(0);
    expect(cancelled.output()).toContain(`job ${jobId}: cancelled`);

    const logs = podium(["logs", jobId, "--follow"], env());
    expect(await logs.exited).toBe(0);
    expect(logs.output()).toMatch(/job\.submitted[\s\S]*job\.paused[\s\S]*job\.cancelled/);

    const resumed = podium(["resume", jobId], env());
    expect(await resumed.exited).toBe(1);
    expect(resumed.output()).toMatch(/podium: /);
  });

  it("refuses an unknown fermata decision before asking the server", async () => {
    const run = podium(["decide", "some-job", "1", "maybe"], env());
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain("Allowed choices are retry, skip, accept, fail");
  });
});

describe("podium doctor", () => {
  it("names the usable instruments and the server's state", async () => {
    const run = podium(["doctor"], env());
    const code = await run.exited;
    const output = run.output();
    expect(output).toMatch(/ok\s+cli: \S*bash/);
    expect(output).toContain(`${server.url} answers`);
    expect(output).toContain("its database answers");
    expect(code).toBe(0);
  });
});

describe("podium serve", () => {
  it("runs the server in its own process, configured by a config file", async () => {
    const data = scoreDir();
    const config = writeScore(
      data,
      "podium.config.yaml",
      `port: 0\ndata_dir: ${data}\ndatabase_url: file:${data}/podium.db\n`,
    );
    const serve = podium(["serve", "--config", config], {
      PORT: "",
      PODIUM_DATA_DIR: "",
      DATABASE_URL: "",
    });
    try {
      await serve.waitFor(/Podium GraphQL on (http:\/\/\S+?\/graphql)/);
      const url = /Podium GraphQL on (http:\/\/\S+?\/graphql)/.exec(serve.output())![1]!;
      const health = await fetch(url.replace(/\/graphql$/, "/health"));
      expect(health.status).toBe(200);
      const status = podium(["status"], { PODIUM_URL: url });
      expect(await status.exited).toBe(0);
      expect(status.output()).toContain("no jobs yet");
    } finally {
      serve.kill();
      await serve.exited;
    }
  });
});
