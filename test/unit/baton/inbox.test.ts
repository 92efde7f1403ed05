import { describe, expect, it } from "vitest";
import { Inbox } from "../../../apps/server/src/baton/runtime/inbox.ts";

describe("Inbox", () => {
  it("hands out batches in arrival order, wakes a sleeping consumer, and reports idleness", async () => {
    const inbox = new Inbox<number>();
    const taken: number[][] = [];
    const consumer = (async () => {
      for (let round = 0; round < 2; round++) {
        taken.push(await inbox.take(2));
        inbox.done();
      }
    })();
    inbox.push(1);
    inbox.push(2);
    inbox.push(3);
    await consumer;
    expect(taken).toEqual([[1, 2], [3]]);
    const idle = inbox.whenIdle();
    void inbox.take(10);
    await idle;
    expect(inbox.close()).toEqual([]);
    expect(inbox.push(4)).toBe(false);
    await expect(inbox.whenIdle()).resolves.toBeUndefined();
  });
});
