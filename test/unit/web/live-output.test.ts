/** The live output pane's view of a job's event log: one sheet's output, capped, newest last. */
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../../apps/web/components/job/event-log-store.ts";
import { liveOutputView } from "../../../apps/web/components/job/live-output.ts";

let seq = 0;
function event(sheetNum: number, name: string, data: Record<string, unknown>): LogEvent {
  seq += 1;
  return { seq, cursor: `c${seq}`, sheetNum, event: name, data, timestamp: "2026-01-01T00:00:00Z" };
}

describe("liveOutputView", () => {
  it("joins one sheet's output in order and reports its latest tokens", () => {
    const events = [
      event(1, "sheet.dispatched", {}),
      event(1, "sheet.output", { text: "→ Write a.txt", inputTokens: null, outputTokens: null }),
      event(2, "sheet.output", { text: "other sheet", inputTokens: 5, outputTokens: 1 }),
      event(1, "sheet.output", { text: "done", inputTokens: 1200, outputTokens: 70 }),
    ];
    expect(liveOutputView(events, 1)).toEqual({
      text: "→ Write a.txt\ndone",
      clipped: false,
      inputTokens: 1200,
      outputTokens: 70,
      batches: 2,
    });
    expect(liveOutputView(events, null).text).toBe("[1] → Write a.txt\n[2] other sheet\n[1] done");
  });

  it("keeps the newest output within the cap and says older output was dropped", () => {
    const events = Array.from({ length: 100 }, (_, i) =>
      event(1, "sheet.output", { text: `line ${i} ${"x".repeat(90)}` }),
    );
    const view = liveOutputView(events, 1, 1_000);
    expect(view.clipped).toBe(true);
    expect(view.text.length).toBeLessThanOrEqual(1_000);
    expect(view.text.endsWith(`line 99 ${"x".repeat(90)}`)).toBe(true);
    expect(view.text).not.toContain("line 0 ");
  });
});
