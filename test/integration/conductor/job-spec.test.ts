import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildJobSpec,
  resolveWorkspace,
  type JobOptions,
} from "../../../apps/server/src/conductor/job-spec.ts";
import { parseScore } from "../../../apps/server/src/score/parse.ts";

const OPTIONS: JobOptions = {
  selfHealing: true,
  escalation: true,
  startSheet: 1,
  jobTimeoutSeconds: 90,
  concert: null,
};

const SCORE = `name: knobs
instrument: cli
sheet: {size: 1, total_items: 2}
prompt:
  template_file: prompts/step.j2
  variables: {who: world}
retry: {max_retries: 7, base_delay_seconds: 2, max_delay_seconds: 30, exponential_base: 3, jitter: false, max_completion_attempts: 2, completion_delay_seconds: 1, completion_threshold_percent: 60}
rate_limit: {wait_minutes: 5, max_waits: 3, max_quota_waits: 4}
circuit_breaker: {enabled: false, failure_threshold: 9, recovery_timeout_seconds: 120}
cost_limits: {max_cost_per_sheet: 0.5, max_cost_per_job: 2}
parallel: {enabled: true, max_concurrent: 4}
stale_detection: {enabled: true, idle_timeout_seconds: 100, check_interval_seconds: 10}
pause_between_sheets_seconds: 0
cross_sheet: {auto_capture_stdout: true, lookback_sheets: 1}
validations:
  - type: file_exists
    path: "{workspace}/out.txt"
conductor:
  preferences: {escalation_response_timeout_seconds: 45}
`;

describe("score -> JobSpec", () => {
  it("maps every execution knob of the score onto the policy", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-spec-"));
    try {
      writeFileSync(path.join(dir, "step.j2"), "hello {{ who }}");
      const parsed = parseScore(SCORE.replace("prompts/step.j2", "step.j2"), { baseDir: dir });
      if (!parsed.ok) throw new Error(parsed.message);
      const built = buildJobSpec(parsed, {
        jobId: "j",
        workspace: "/ws",
        options: OPTIONS,
        cwd: dir,
      });
      if (!built.ok) throw new Error(built.message);
      const { spec } = built;
      expect(spec.policy).toEqual({
        retry: {
          maxRetries: 7,
          baseDelaySeconds: 2,
          maxDelaySeconds: 30,
          exponentialBase: 3,
          jitter: false,
          maxCompletionAttempts: 2,
          completionDelaySeconds: 1,
          completionThresholdPercent: 60,
        },
        rateLimit: expect.objectContaining({ waitMinutes: 5, maxWaits: 3, maxQuotaWaits: 4 }),
        circuitBreaker: { enabled: false, failureThreshold: 9, recoveryTimeoutSeconds: 120 },
        costLimits: expect.objectContaining({
          enabled: true,
          maxCostPerSheet: 0.5,
          maxCostPerJob: 2,
        }),
        staleDetection: { enabled: true, idleTimeoutSeconds: 100, checkIntervalSeconds: 10 },
        parallel: expect.objectContaining({ enabled: true, maxConcurrent: 4 }),
        pauseBetweenSheetsSeconds: 0,
        selfHealing: true,
        escalation: true,
        escalationTimeoutSeconds: 45,
        jobTimeoutSeconds: 90,
      });
      expect(spec.prompt).toEqual({
        template: "hello {{ who }}",
        variables: { who: "world", stakes: "", thinking_method: "" },
        injections: { prelude: [], cadenzas: {} },
      });
      expect(spec.crossSheet).toMatchObject({ autoCaptureStdout: true, lookbackSheets: 1 });
      expect(spec.validations).toHaveLength(1);
      expect(spec.sheets.map((s) => s.num)).toEqual([1, 2]);
      expect(spec.workspace).toBe("/ws");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a template_file that the server cannot read", () => {
    const parsed = parseScore(SCORE);
    if (!parsed.ok) throw new Error(parsed.message);
    const built = buildJobSpec(parsed, {
      jobId: "j",
      workspace: "/ws",
      options: OPTIONS,
      cwd: "/nowhere",
    });
    expect(built).toMatchObject({
      ok: false,
      message: expect.stringMatching(/prompt\.template_file.*\/nowhere\/prompts\/step\.j2/),
    });
  });

  it("resolves workspaces: input, then the score's (under the data dir), then the default", () => {
    const base = { dataDir: "/data", jobId: "abc" };
    expect(
      resolveWorkspace({
        ...base,
        inputWorkspace: "mine",
        scoreWorkspace: "./ws",
        scoreSetsWorkspace: true,
      }),
    ).toBe("/data/mine");
    expect(
      resolveWorkspace({
        ...base,
        inputWorkspace: null,
        scoreWorkspace: "./ws",
        scoreSetsWorkspace: true,
      }),
    ).toBe("/data/ws");
    expect(
      resolveWorkspace({
        ...base,
        inputWorkspace: null,
        scoreWorkspace: "/abs/ws",
        scoreSetsWorkspace: true,
      }),
    ).toBe("/abs/ws");
    expect(
      resolveWorkspace({
        ...base,
        inputWorkspace: null,
        scoreWorkspace: "./workspace",
        scoreSetsWorkspace: false,
      }),
    ).toBe("/data/workspaces/abc");
  });
});

describe("a score is planned once", () => {
  it("carries the template text, the keys written and a hash; the spec reads the template from it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-plan-"));
    try {
      writeFileSync(path.join(dir, "step.j2"), "read once {{ who }}");
      const text = SCORE.replace("prompts/step.j2", "step.j2");
      const parsed = parseScore(text, { baseDir: dir });
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.template).toBe("read once {{ who }}");
      expect(parsed.explicitKeys.has("retry")).toBe(true);
      expect(parsed.explicitKeys.has("workspace")).toBe(false);
      expect(parsed.hash).toMatch(/^[0-9a-f]{64}$/);
      const again = parseScore(text, { baseDir: dir });
      expect(again.ok && again.hash).toBe(parsed.hash);
      // The file is gone: a spec that read it a second time would fail.
      rmSync(path.join(dir, "step.j2"));
      const built = buildJobSpec(parsed, {
        jobId: "j",
        workspace: "/ws",
        options: OPTIONS,
        cwd: dir,
      });
      if (!built.ok) throw new Error(built.message);
      expect(built.spec.prompt.template).toBe("read once {{ who }}");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tells a workspace the author wrote from the default", () => {
    const withWorkspace = parseScore(
      `${SCORE.replace("prompts/step.j2", "x.j2")}workspace: ./out\n`,
    );
    if (!withWorkspace.ok) throw new Error(withWorkspace.message);
    expect(withWorkspace.explicitKeys.has("workspace")).toBe(true);
  });
});
