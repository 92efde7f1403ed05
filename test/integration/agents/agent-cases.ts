/**
 * The cases every real agent CLI must pass through its built-in profile: an answer with tokens
 * and cost, a tool call that writes a file, a 429 with retry-after, a 401, and a hang.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  groupAlive,
  prompt,
  RETRY_AFTER_SECONDS,
  startAgentHarness,
  type AgentCli,
  type AgentHarness,
} from "./harness.ts";

export interface CostExpectation {
  /**
   * The CLI reports its own cost: recorded although the CLI's model has no price in the
   * profile's table. Otherwise the cost is priced from the table at `model`.
   */
  reported: boolean;
  model: string;
}

/** 1200 input and 70 output tokens at $0.00125 / $0.01 per 1k (gpt-5-codex, gemini-2.5-pro). */
const TABLE_PRICED_USD = 0.0022;

export function describeRealAgent(cli: AgentCli, cost: CostExpectation): void {
  describe(`${cli} (the real CLI) through its built-in profile`, () => {
    let harness: AgentHarness;
    beforeAll(async () => {
      harness = await startAgentHarness(cli);
    });
    afterAll(async () => {
      await harness?.close();
    });

    it("answers; tokens, model and cost are recorded; no secret reaches the agent", async () => {
      harness.standIn.enqueue({
        kind: "text",
        text: "The answer is 42",
        inputTokens: 1200,
        outputTokens: 70,
      });
      const result = await harness.play({
        workspace: harness.workspace(),
        prompt: prompt("What is the answer?"),
      });
      expect(result.errorMessage).toBeNull();
      expect(result).toMatchObject({ executionSuccess: true, exitCode: 0, errorClass: null });
      expect(result.stdoutTail).toContain("The answer is 42");
      expect(result.inputTokens).toBe(1200);
      expect(result.outputTokens).toBe(70);
      expect(result.modelUsed).toContain(cost.model);
      expect(result.costUsd).toBeGreaterThan(0);
      if (!cost.reported) expect(result.costUsd).toBeCloseTo(TABLE_PRICED_USD, 8);
      expect(result.costUncertain).toBe(false);
      const [agentRequest] = harness.standIn.agentRequests().slice(-1);
      expect(JSON.stringify(agentRequest!.body)).toContain("What is the answer?");
      const everything = JSON.stringify(harness.standIn.requests.map((request) => request.body));
      expect(everything).not.toContain("podium-token-not-for-agents");
    });

    it("a tool call writes a file in the workspace that a file_exists validation sees", async () => {
      const workspace = harness.workspace();
      harness.standIn.enqueue(
        { kind: "write_file", path: path.join(workspace, "answer.txt"), content: "written" },
        { kind: "text", text: "I wrote answer.txt" },
      );
      const result = await harness.play({
        workspace,
        prompt: prompt("Write answer.txt"),
        validations: [{ type: "file_exists", path: "{workspace}/answer.txt" }],
      });
      expect(result.errorMessage).toBeNull();
      expect(result).toMatchObject({ executionSuccess: true, validationsPassed: 1, passRate: 100 });
      expect(readFileSync(path.join(workspace, "answer.txt"), "utf8")).toBe("written");
    });

    it(`a 429 with retry-after ${RETRY_AFTER_SECONDS} s is waited out once, inside the same attempt`, async () => {
      const before = harness.standIn.agentRequests().length;
      harness.standIn.enqueue(
        { kind: "status", status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS },
        { kind: "text", text: "after the limit" },
      );
      const result = await harness.play({
        workspace: harness.workspace(),
        prompt: prompt("Answer after the limit"),
      });
      expect(result.errorMessage).toBeNull();
      expect(result).toMatchObject({ executionSuccess: true, rateLimited: false });
      expect(result.stdoutTail).toContain("after the limit");
      const requests = harness.standIn.agentRequests().slice(before);
      // No burst: the limited request and exactly one retry, spaced by the provider's wait.
      expect(requests.map((request) => request.answered)).toEqual(["status", "text"]);
      const gapSeconds = (requests[1]!.at - requests[0]!.at) / 1000;
      expect(gapSeconds).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS - 0.5);
      expect(gapSeconds).toBeLessThan(RETRY_AFTER_SECONDS + 10);
    });

    it("a 401 is an auth failure reported at once, without the CLI's retries", async () => {
      const before = harness.standIn.agentRequests().length;
      harness.standIn.setFallback({ kind: "status", status: 401 });
      try {
        const result = await harness.play({
          workspace: harness.workspace(),
          prompt: prompt("Anything"),
        });
        expect(result).toMatchObject({ executionSuccess: false, errorClass: "AUTH_FAILURE" });
        expect(result.errorMessage).toMatch(/401|UNAUTHENTICATED|authentication/i);
        expect(harness.standIn.agentRequests().length - before).toBeLessThanOrEqual(2);
      } finally {
        harness.standIn.setFallback({ kind: "text", text: "done" });
      }
    });

    it("a provider that hangs past the timeout is killed with nothing left running", async () => {
      harness.standIn.enqueue({ kind: "hang" });
      let pgid = 0;
      const result = await harness.play(
        { workspace: harness.workspace(), prompt: prompt("Hang"), timeoutSeconds: 6 },
        (group) => (pgid = group),
      );
      expect(result).toMatchObject({ executionSuccess: false, errorClass: "TIMEOUT" });
      expect(pgid).toBeGreaterThan(0);
      expect(groupAlive(pgid)).toBe(false);
    });
  });
}
