/** What the baton hands a musician at dispatch time: the idle limit from `stale_detection`. */
import { describe, expect, it } from "vitest";
import type { PolicyOverrides } from "../../../apps/server/src/baton/core/policy.ts";
import { buildAttemptRequest } from "../../../apps/server/src/baton/core/request.ts";
import type { AttemptRequest } from "../../../apps/server/src/contracts/attempt.ts";
import { Engine } from "./support/engine.ts";
import { plan, spec } from "./support/fixtures.ts";

function firstRequest(policy: PolicyOverrides): AttemptRequest {
  const engine = new Engine();
  engine.register(spec("j", [plan(1)], policy));
  const job = engine.state.jobs.get("j")!;
  return buildAttemptRequest(job, engine.order("j", 1));
}

describe("buildAttemptRequest and stale_detection", () => {
  it("passes the idle timeout when stale detection is enabled", () => {
    const request = firstRequest({
      staleDetection: { enabled: true, idleTimeoutSeconds: 42.5, checkIntervalSeconds: 5 },
    });
    expect(request.idleTimeoutSeconds).toBe(42.5);
  });

  it("sets no idle limit when stale detection is disabled, whatever its timeout says", () => {
    const request = firstRequest({
      staleDetection: { enabled: false, idleTimeoutSeconds: 42.5, checkIntervalSeconds: 5 },
    });
    expect(request.idleTimeoutSeconds).toBeNull();
  });

  it("sets no idle limit under the default policy (stale detection off)", () => {
    expect(firstRequest({}).idleTimeoutSeconds).toBeNull();
  });
});
