/**
 * The cascade must walk through sheets that are already terminal: a sheet behind a skipped or
 * completed sheet that is itself downstream of the failure is still blocked.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: the cascade walks through terminal sheets", () => {
  it("reaches sheets behind an already-terminal sheet", () => {
    const e = new Engine();
    // 1 -> 2 -> 3 -> 4, and 2 was skipped deliberately before 1 failed.
    e.register(
      spec(
        "j",
        [
          plan(1),
          plan(2, { dependsOn: [1] }),
          plan(3, { dependsOn: [2] }),
          plan(4, { dependsOn: [3] }),
        ],
        { retry: { maxRetries: 1 } },
      ),
    );
    e.send({ kind: "SheetSkipped", jobId: "j", sheetNum: 2, reason: "not needed" });
    e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
    e.report("j", 1, FAILED);
    expect(e.status("j", 1)).toBe("failed");
    expect(e.sheet("j", 2)).toMatchObject({ status: "skipped", errorCode: null });
    expect(e.sheet("j", 3)).toMatchObject({
      status: "skipped",
      errorCode: "E999",
      errorMessage: "Blocked by failed dependency: sheet 1",
    });
    expect(e.sheet("j", 4)).toMatchObject({ status: "skipped", errorCode: "E999" });
    expect(e.jobStatus("j")).toBe("failed");
  });
});
