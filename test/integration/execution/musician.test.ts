import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../../apps/server/src/contracts/attempt.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import { PromptRenderer } from "../../../apps/server/src/prompt/renderer.ts";
import { attemptRequest, signalNotAborted, tempDir } from "./helpers.ts";

const SECRET = "super-secret-value-123456";
const { profiles } = loadInstrumentProfiles({ userDirs: [] });
const pool = new BackendPool({
  profiles,
  env: { ...process.env, DEPLOY_API_KEY: SECRET, PODIUM_PASS_ENV: "DEPLOY_API_KEY" },
});
const musician = createMusician({ pool });

afterAll(async () => {
  await pool.close();
});

function play(template: string, overrides: Parameters<typeof attemptRequest>[0]) {
  return musician.play(
    attemptRequest({ ...overrides, prompt: { template, ...overrides.prompt } as never }),
    {
      signal: signalNotAborted(),
    },
  );
}

describe("musician with the cli instrument", () => {
  it("runs the raw prompt as a script in the workspace and passes its validations", async () => {
    const workspace = path.join(tempDir(), "nested", "ws");
    const result = await play("echo 'sheet {{ sheet_num }}' > out.txt && echo wrote", {
      workspace,
      validations: [
        { type: "file_exists", path: "{workspace}/out.txt" },
        { type: "content_contains", path: "out.txt", pattern: "sheet 1" },
      ],
    });
    expect(result).toMatchObject({
      executionSuccess: true,
      exitCode: 0,
      passRate: 100,
      validationsPassed: 2,
      validationsTotal: 2,
      errorClass: null,
      costUsd: 0,
      costUncertain: false,
      renderedPrompt: "echo 'sheet 1' > out.txt && echo wrote",
    });
    expect(result.stdoutTail.trim()).toBe("wrote");
    expect(readFileSync(path.join(workspace, "out.txt"), "utf8")).toBe("sheet 1\n");
    expect(result.finishedAt).toBeGreaterThanOrEqual(result.startedAt);
  });

  it("counts a non-zero exit whose validations all pass as a success, and says so", async () => {
    const result = await play("echo done > result.txt; echo 'lint warning' >&2; exit 1", {
      workspace: tempDir(),
      validations: [{ type: "file_exists", path: "result.txt" }],
    });
    expect(result.executionSuccess).toBe(true);
    expect(result.passRate).toBe(100);
    expect(result.exitCode).toBe(1);
    expect(result.errorClass).toBeNull();
    expect(result.errorMessage).toContain("exited with code 1");
    expect(result.errorMessage).toContain("every validation passed");
  });

  it("keeps a non-zero exit with unmet validations a failure, with its pass rate", async () => {
    const result = await play("echo half > a.txt; exit 2", {
      workspace: tempDir(),
      validations: [
        { type: "file_exists", path: "a.txt", retry_count: 0 },
        { type: "file_exists", path: "b.txt", retry_count: 0 },
      ],
    });
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("EXECUTION_ERROR");
    expect(result.passRate).toBe(50);
    expect(result.validationDetails.map((detail) => detail.passed)).toEqual([true, false]);
  });

  it("a non-zero exit with no validations has pass rate 0", async () => {
    const result = await play("exit 4", { workspace: tempDir() });
    expect(result).toMatchObject({
      executionSuccess: false,
      passRate: 0,
      exitCode: 4,
      errorClass: "EXECUTION_ERROR",
    });
  });

  it("a success with some failing validations reports the partial rate and names the failures", async () => {
    const result = await play("touch one.txt", {
      workspace: tempDir(),
      validations: [
        { type: "file_exists", path: "one.txt", retry_count: 0 },
        { type: "file_exists", path: "two.txt", description: "two.txt is written", retry_count: 0 },
        { type: "file_exists", path: "three.txt", retry_count: 0, condition: "sheet_num >= 2" },
      ],
    });
    expect(result).toMatchObject({
      executionSuccess: true,
      passRate: 50,
      validationsTotal: 2,
      errorClass: "VALIDATION_FAILED",
    });
    expect(result.errorMessage).toContain("two.txt is written");
  });

  it("takes the file_modified snapshot before the instrument runs", async () => {
    const workspace = tempDir();
    const past = new Date(Date.now() - 60_000);
    for (const name of ["changed.txt", "same.txt"]) {
      writeFileSync(path.join(workspace, name), "old");
      utimesSync(path.join(workspace, name), past, past);
    }
    const result = await play("echo new >> changed.txt", {
      workspace,
      validations: [
        { type: "file_modified", path: "changed.txt", retry_count: 0 },
        { type: "file_modified", path: "same.txt", retry_count: 0 },
      ],
    });
    expect(result.validationDetails.map((detail) => detail.passed)).toEqual([true, false]);
  });

  it("does not validate after a timeout", async () => {
    const result = await play("touch made.txt; sleep 20", {
      workspace: tempDir(),
      timeoutSeconds: 0.5,
      validations: [{ type: "file_exists", path: "made.txt" }],
    });
    expect(result).toMatchObject({
      executionSuccess: false,
      errorClass: "TIMEOUT",
      validationsTotal: 0,
      passRate: 0,
    });
  });

  it("redacts secrets from tails, messages and the stored prompt", async () => {
    const result = await play(
      `echo "key=$DEPLOY_API_KEY"; echo "token ghp_abcdefghijklmnopqrstuvwxyz0123" >&2; echo ${SECRET} > /dev/null; exit 1`,
      {
        workspace: tempDir(),
      },
    );
    expect(result.stdoutTail).toContain("key=[REDACTED]");
    expect(result.stdoutTail).not.toContain(SECRET);
    expect(result.stderrTail).not.toContain("ghp_");
    expect(result.errorMessage).not.toContain("ghp_");
    expect(result.renderedPrompt).not.toContain(SECRET);
  });
});

describe("musician failures never throw", () => {
  it("an unknown instrument is a failed attempt with E505", async () => {
    const result = await play("anything", { workspace: tempDir(), instrument: "kazoo" });
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("UNKNOWN_INSTRUMENT");
    expect(result.errorMessage).toContain(ErrorCodes.UNKNOWN_INSTRUMENT);
    expect(result.errorMessage).toContain("kazoo");
  });

  it("a workspace that cannot be created is a WORKSPACE_ERROR", async () => {
    const blocker = path.join(tempDir(), "a-file");
    writeFileSync(blocker, "not a directory");
    const result = await play("true", { workspace: path.join(blocker, "ws") });
    expect(result.errorClass).toBe("WORKSPACE_ERROR");
    expect(result.errorMessage).toContain(blocker);
  });

  it("a template error is an EXECUTION_ERROR naming the line; nothing runs", async () => {
    const workspace = tempDir();
    const result = await play("touch ran.txt\necho {{ undefined_name }}", { workspace });
    expect(result.errorClass).toBe("EXECUTION_ERROR");
    expect(result.errorMessage).toContain("line 2");
    expect(result.errorMessage).toContain("undefined_name");
    expect(result.exitCode).toBeNull();
  });

  it("an aborted signal gives CANCELLED", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await musician.play(
      attemptRequest({ workspace: tempDir(), prompt: { template: "true" } as never }),
      {
        signal: controller.signal,
      },
    );
    expect(result.errorClass).toBe("CANCELLED");
    expect(result.executionSuccess).toBe(false);
  });

  it("an internal error becomes a failed attempt", async () => {
    class BrokenRenderer extends PromptRenderer {
      override render(): never {
        throw new Error("renderer exploded");
      }
    }
    const broken = createMusician({ pool, renderer: new BrokenRenderer() });
    const request = attemptRequest({ workspace: tempDir(), prompt: { template: "true" } as never });
    const result = await broken.play(request, { signal: signalNotAborted() });
    expect(result.errorClass).toBe("EXECUTION_ERROR");
    expect(result.errorMessage).toContain("renderer exploded");
    expect(result.dispatchToken).toBe(request.dispatchToken);
  });

  it("a raw-prompt instrument without a template fails clearly", async () => {
    const result = await musician.play(attemptRequest({ workspace: tempDir() }), {
      signal: signalNotAborted(),
    });
    expect(result.errorClass).toBe("EXECUTION_ERROR");
    expect(result.errorMessage).toContain("no prompt template");
  });
});
