/**
 * Every event name has exactly one payload type, and the baton's emit is checked against it
 * (a wrong field is a compile error, which the typecheck of this file proves).
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  EVENT_NAMES,
  isEvent,
  type EventRecord,
  type EventData,
  type EventName,
  type EventPayloads,
} from "../../../apps/server/src/contracts/event-log.ts";
import { Ctx } from "../../../apps/server/src/baton/core/context.ts";
import { createBatonState } from "../../../apps/server/src/baton/core/state.ts";

describe("event payload map", () => {
  it("names a payload for every event name and nothing else", () => {
    expectTypeOf<keyof EventPayloads>().toEqualTypeOf<EventName>();
    expectTypeOf<EventData<"sheet.output">["text"]>().toEqualTypeOf<string>();
    expect(new Set(EVENT_NAMES).size).toBe(EVENT_NAMES.length);
  });

  it("types what the core emits", () => {
    const ctx = new Ctx(createBatonState(), 5);
    ctx.emit("j", 1, "sheet.fermata", { reason: "needs a person" });
    // @ts-expect-error: sheet.fermata carries a reason, not a message.
    ctx.emit("j", 1, "sheet.fermata", { message: "wrong field" });
    expect(ctx.events.map((e) => [e.event, e.data])).toEqual([
      ["sheet.fermata", { reason: "needs a person" }],
      ["sheet.fermata", { message: "wrong field" }],
    ]);
  });

  it("narrows a logged event by name, and its data with it", () => {
    const record: EventRecord = {
      seq: 1,
      jobId: "j",
      sheetNum: 0,
      event: "job.rescored",
      data: { replannedSheets: [2, 3] },
      timestamp: 0,
    };
    expect(isEvent(record, "job.started")).toBe(false);
    if (!isEvent(record, "job.rescored", "job.recovered")) throw new Error("not narrowed");
    if (record.event === "job.rescored") {
      expectTypeOf(record.data.replannedSheets).toEqualTypeOf<number[]>();
      expect(record.data.replannedSheets).toEqual([2, 3]);
    }
  });
});
