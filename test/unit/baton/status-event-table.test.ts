/**
 * Every sheet status meets every event kind: the core answers with a defined next state or a
 * typed rejection, never a throw, and the state stays consistent.
 */
import { describe, expect, it } from "vitest";
import {
  BATON_EVENT_KINDS,
  type BatonEvent,
  type BatonEventKind,
} from "../../../apps/server/src/baton/core/events.ts";
import {
  SHEET_STATUSES,
  isTerminalSheet,
  type SheetStatus,
} from "../../../apps/server/src/contracts/status.ts";
import { transition } from "../../../apps/server/src/baton/core/transition.ts";
import { DEFAULT_DISPATCH_LIMITS } from "../../../apps/server/src/baton/core/dispatch.ts";
import { Engine } from "./support/engine.ts";
import { FAILED, RATE_LIMITED, plan, resultFor, spec } from "./support/fixtures.ts";
import { checkInvariants } from "./support/invariants.ts";

/** Job "j": sheet 1 is the subject; sheet 2 depends on it. */
function reach(status: SheetStatus): Engine {
  const e = new Engine();
  const sheets = [plan(1, { instrumentFallbacks: ["b"] }), plan(2, { dependsOn: [1] })];
  if (status === "pending") {
    e.register(
      spec("j", [
        plan(1, { dependsOn: [3], instrumentFallbacks: ["b"] }),
        plan(2, { dependsOn: [1] }),
        plan(3),
      ]),
    );
    return e;
  }
  e.register(spec("j", sheets, { escalation: true }));
  switch (status) {
    case "dispatched":
      break;
    case "in_progress":
      e.send({
        kind: "SheetDispatched",
        jobId: "j",
        sheetNum: 1,
        dispatchToken: e.order("j", 1).dispatchToken,
        processGroup: 42,
        processStartedAt: null,
      });
      break;
    case "waiting":
      // The fallback is limited too, so the sheet waits instead of moving to it.
      e.send({
        kind: "RateLimitHit",
        instrument: "b",
        waitSeconds: 600,
        jobId: null,
        sheetNum: null,
      });
      e.report("j", 1, RATE_LIMITED);
      break;
    case "retry_scheduled":
      e.report("j", 1, FAILED);
      break;
    case "fermata":
      e.report("j", 1, FAILED);
      e.send({ kind: "EscalationNeeded", jobId: "j", sheetNum: 1, reason: "test" });
      break;
    case "completed":
      e.report("j", 1);
      break;
    case "failed":
      e.send({ kind: "JobTimeout", jobId: "j" });
      e.report("j", 1, { ...FAILED, errorClass: "CANCELLED" });
      break;
    case "skipped":
      e.send({ kind: "SheetSkipped", jobId: "j", sheetNum: 1, reason: "skip_when" });
      e.report("j", 1, { ...FAILED, errorClass: "CANCELLED" });
      break;
    case "cancelled":
      e.send({ kind: "CancelJob", jobId: "j" });
      e.report("j", 1, { ...FAILED, errorClass: "CANCELLED" });
      break;
    case "ready": {
      e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
      e.report("j", 1, FAILED);
      e.fire("retry:j:1");
      // "ready" is only ever read from a checkpoint; put it in place as a stored status would be.
      const sheet = e.state.jobs.get("j")!.sheets.get(1)!;
      e.state.jobs.get("j")!.ready.remove(sheet);
      sheet.record.status = "ready";
      break;
    }
    default:
      throw new Error(`no recipe for ${status}`);
  }
  expect(e.status("j", 1)).toBe(status);
  return e;
}

function sample(kind: BatonEventKind, e: Engine): BatonEvent {
  const token = e.sheet("j", 1).dispatchToken ?? "j:1:1";
  const base = { jobId: "j", sheetNum: 1 };
  switch (kind) {
    case "SheetAttemptResult":
      return {
        kind,
        result: resultFor({
          ...base,
          dispatchToken: token,
          instrument: "cli",
          attemptNumber: 1,
          mode: "normal",
        }),
      };
    case "SheetSkipped":
      return { kind, ...base, reason: "skip" };
    case "SheetDispatched":
      return { kind, ...base, dispatchToken: token, processGroup: 7, processStartedAt: null };
    case "SheetOutput":
      return {
        kind,
        ...base,
        dispatchToken: token,
        text: "working",
        inputTokens: null,
        outputTokens: null,
        truncated: false,
      };
    case "RateLimitHit":
      return { kind, instrument: "cli", waitSeconds: 30, jobId: "j", sheetNum: 1 };
    case "RateLimitExpired":
      return {
        kind,
        instrument: "cli",
        generation: e.state.rateLimits.get("cli")?.generation ?? 1,
      };
    case "RetryDue":
      return { kind, ...base };
    case "StaleCheck":
      return { kind, ...base, dispatchToken: token, musicianAlive: false };
    case "PacingComplete":
      return { kind, jobId: "j", generation: 1 };
    case "EscalationNeeded":
      return { kind, ...base, reason: "help" };
    case "EscalationResolved":
      return { kind, ...base, decision: "retry" };
    case "EscalationTimeout":
      return { kind, ...base, generation: e.state.jobs.get("j")!.sheets.get(1)!.fermataGeneration };
    case "PauseJob":
      return { kind, jobId: "j", reason: "user" };
    case "ResumeJob":
      return { kind, jobId: "j", retryFailed: true };
    case "CancelJob":
      return { kind, jobId: "j" };
    case "ShutdownRequested":
      return { kind };
    case "ProcessExited":
      return { kind, ...base, dispatchToken: token, exitCode: 0 };
    case "InstrumentFallback":
      return { kind, ...base, reason: "unknown instrument" };
    case "DispatchRetry":
      return { kind };
    case "CircuitBreakerRecovery":
      return { kind, instrument: "cli", generation: 1 };
    case "JobTimeout":
      return { kind, jobId: "j" };
    case "ClearRateLimit":
      return { kind, instrument: null };
    case "RegisterJob":
      return { kind, spec: e.state.jobs.get("j")!.spec };
    case "RecoverJob":
      return {
        kind,
        spec: e.state.jobs.get("j")!.spec,
        job: { ...e.state.jobs.get("j")!.record },
        sheets: [],
      };
    case "DeregisterJob":
      return { kind, jobId: "j" };
    case "SubmitJob": {
      const submitted = spec("k", [plan(1)]);
      return {
        kind,
        job: {
          id: "k",
          name: "k",
          status: "pending",
          scoreText: "name: k",
          configHash: "h",
          spec: submitted,
          workspace: "/tmp/k",
          idempotencyKey: null,
          warnings: [],
          options: {},
          totalSheets: 1,
          concertDepth: 0,
          parentJobId: null,
          hooksPending: false,
          createdAt: e.now,
        },
        sheets: submitted.sheets,
        dryRunReason: null,
        startSheet: 1,
      };
    }
    case "FailUnrecoverable":
      return { kind, job: { ...e.state.jobs.get("j")!.record }, sheets: [], message: "gone" };
    case "HookReported":
      return {
        kind,
        jobId: "j",
        event: "hook.started",
        data: { index: 0, type: "run_command", description: null },
      };
    case "HooksFinished":
      return { kind, jobId: "j" };
    case "ReplaceScore":
      return {
        kind,
        score: {
          id: "j",
          name: "j",
          scoreText: "name: j",
          configHash: "h",
          spec: e.state.jobs.get("j")!.spec,
        },
        sheets: [],
      };
  }
}

const OUTCOMES: string[] = [];

describe("every (sheet status × event kind) pair", () => {
  for (const status of SHEET_STATUSES) {
    for (const kind of BATON_EVENT_KINDS) {
      it(`${status} × ${kind}`, () => {
        const e = reach(status);
        const event = sample(kind, e);
        const result = transition(e.state, event, e.now);
        expect(result.state).toBe(e.state);
        const job = e.state.jobs.get("j");
        const next = job?.sheets.get(1)?.record.status ?? "(deregistered)";
        if (result.rejection !== undefined) {
          expect(typeof result.rejection.message).toBe("string");
          expect(result.rejection.kind).toMatch(/^[a-z_]+$/);
        }
        if (isTerminalSheet(status) && kind !== "DeregisterJob") {
          const retried = status === "failed" && kind === "ResumeJob";
          if (!retried) expect(next).toBe(status);
          else expect(next).toBe("pending");
        }
        if (status !== "ready")
          expect(checkInvariants(e.state, DEFAULT_DISPATCH_LIMITS)).toEqual([]);
        OUTCOMES.push(
          `${status} × ${kind} -> ${result.rejection ? `rejected(${result.rejection.kind})` : next}`,
        );
      });
    }
  }

  it("covers all pairs", () => {
    expect(OUTCOMES).toHaveLength(SHEET_STATUSES.length * BATON_EVENT_KINDS.length);
  });
});
