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

  it("wakes a sleeping consumer through wakeLater, with everything that arrived meanwhile", async () => {
    const pendingWakes: Array<() => void> = [];
    const inbox = new Inbox<string>((wake) => pendingWakes.push(wake));
    const taken = inbox.take(64);
    // Results of one turn of the event loop: the consumer sleeps until the wake runs.
    inbox.push("sheet 1 done");
    inbox.push("sheet 2 done");
    inbox.push("sheet 3 done");
    expect(pendingWakes).toHaveLength(1);
    pendingWakes[0]!();
    expect(await taken).toEqual(["sheet 1 done", "sheet 2 done", "sheet 3 done"]);
  });

  it("is woken by close even while a wake is pending", async () => {
    const inbox = new Inbox<string>(() => undefined);
    const taken = inbox.take(64);
    inbox.push("late");
    expect(inbox.close()).toEqual(["late"]);
    expect(await taken).toEqual([]);
  });
});
