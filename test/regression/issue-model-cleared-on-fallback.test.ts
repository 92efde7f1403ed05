/**
 * A model names a model of the primary instrument; carrying it to a fallback instrument would ask
 * that instrument for a model it does not have. The fallback plays with its own default.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { AUTH, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: the model is cleared on fallback", () => {
  it("dispatches the fallback with model null and a fresh budget", () => {
    const e = new Engine();
    e.register(
      spec("j", [
        plan(1, { instrument: "claude-code", model: "opus", instrumentFallbacks: ["codex-cli"] }),
      ]),
    );
    expect(e.order("j", 1).model).toBe("opus");
    e.report("j", 1, AUTH);
    expect(e.order("j", 1)).toMatchObject({
      instrument: "codex-cli",
      model: null,
      attemptNumber: 2,
    });
    expect(e.sheet("j", 1)).toMatchObject({ model: null, normalAttempts: 0, instrumentIndex: 1 });
  });
});
