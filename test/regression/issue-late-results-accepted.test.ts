/**
 * Marianne accepted results that arrived after a sheet had moved on, so a sheet could be counted
 * (and run) twice. A result for a sheet that is no longer playing is dropped without a trace in
 * the checkpoint.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, chain, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: late results are dropped", () => {
  it("a result arriving after the sheet was skipped at cancel time changes nothing persisted", () => {
    const e = new Engine();
    e.register(spec("j", chain(2)));
    e.send({ kind: "SheetSkipped", jobId: "j", sheetNum: 1, reason: "skip_when_command" });
    const late = e.report("j", 1, { costUsd: 5 });
    expect(late.rejection?.kind).toBe("terminal_sheet");
    expect(late.effects.some((x) => x.kind === "commit")).toBe(false);
    expect(e.sheet("j", 1)).toMatchObject({ status: "skipped", costUsd: 0 });
    expect(e.state.runningTotal).toBe(1); // sheet 2 now plays; sheet 1's slot came back
  });

  it("a duplicate report of the same dispatch is dropped the second time", () => {
    const e = new Engine();
    e.register(spec("j", chain(2)));
    const order = e.order("j", 1);
    e.report("j", 1);
    e.orders.set("j#1", order);
    const again = e.report("j", 1, FAILED);
    expect(again.rejection?.kind).toBe("terminal_sheet");
    expect(e.status("j", 1)).toBe("completed");
  });
});
