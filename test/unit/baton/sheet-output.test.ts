/** Live output of a playing sheet becomes a logged `sheet.output` event and changes nothing else. */
import { describe, expect, it } from "vitest";
import type { BatonEvent } from "../../../apps/server/src/baton/core/events.ts";
import { Engine } from "./support/engine.ts";
import { plan, spec } from "./support/fixtures.ts";

function output(token: string, text: string): BatonEvent {
  return {
    kind: "SheetOutput",
    jobId: "j",
    sheetNum: 1,
    dispatchToken: token,
    text,
    inputTokens: 12,
    outputTokens: 3,
    truncated: false,
  };
}

describe("SheetOutput", () => {
  it("commits one sheet.output event and no record while the sheet plays", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    const token = e.order("j", 1).dispatchToken;
    const before = JSON.stringify(e.sheet("j", 1));
    const result = e.send(output(token, "→ Write /ws/a.txt"));
    expect(result.rejection).toBeUndefined();
    const commit = result.effects.find((effect) => effect.kind === "commit");
    expect(commit).toMatchObject({
      jobs: [],
      sheets: [],
      attempts: [],
      events: [
        {
          jobId: "j",
          sheetNum: 1,
          event: "sheet.output",
          data: {
            dispatchToken: token,
            text: "→ Write /ws/a.txt",
            inputTokens: 12,
            outputTokens: 3,
          },
        },
      ],
    });
    expect(result.effects.filter((effect) => effect.kind !== "commit")).toEqual([]);
    expect(JSON.stringify(e.sheet("j", 1))).toBe(before);
  });

  it("drops output of a superseded dispatch and output after the result, without a rejection", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    const token = e.order("j", 1).dispatchToken;
    const superseded = e.send(output("j:1:old", "late"));
    expect(superseded.effects).toEqual([]);
    expect(superseded.rejection).toBeUndefined();
    e.report("j", 1);
    expect(e.status("j", 1)).toBe("completed");
    const late = e.send(output(token, "after the result"));
    expect(late.effects).toEqual([]);
    expect(e.eventNames("j", 1)).not.toContain("sheet.output");
  });
});
