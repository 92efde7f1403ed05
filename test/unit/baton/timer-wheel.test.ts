import { describe, expect, it } from "vitest";
import { TimerWheel } from "../../../apps/server/src/baton/runtime/timer-wheel.ts";
import { FakeClock, FakeTimerHost } from "./support/fake-time.ts";

function setup() {
  const clock = new FakeClock(0);
  const host = new FakeTimerHost(clock);
  const fired: Array<[string, number]> = [];
  const wheel = new TimerWheel<string>(host, clock, (payload) =>
    fired.push([payload, clock.now()]),
  );
  return { clock, host, fired, wheel };
}

describe("TimerWheel", () => {
  it("fires logical timers in deadline order on a single host timer", () => {
    const { host, fired, wheel } = setup();
    wheel.schedule("c", 300, "c");
    wheel.schedule("a", 100, "a");
    wheel.schedule("b", 200, "b");
    expect(host.active).toBe(1);
    host.advance(1000);
    expect(fired).toEqual([
      ["a", 100],
      ["b", 200],
      ["c", 300],
    ]);
    expect(wheel.size).toBe(0);
    expect(host.active).toBe(0);
  });

  it("rescheduling an id replaces it; cancelling removes it", () => {
    const { host, fired, wheel } = setup();
    wheel.schedule("x", 100, "first");
    wheel.schedule("x", 500, "second");
    wheel.schedule("y", 200, "y");
    expect(wheel.cancel("y")).toBe(true);
    expect(wheel.cancel("missing")).toBe(false);
    host.advance(400);
    expect(fired).toEqual([]);
    host.advance(100);
    expect(fired).toEqual([["second", 500]]);
  });

  it("re-arms the host timer at the new earliest deadline", () => {
    const { host, fired, wheel } = setup();
    wheel.schedule("late", 1000, "late");
    wheel.schedule("early", 10, "early");
    host.advance(10);
    expect(fired).toEqual([["early", 10]]);
    wheel.cancel("late");
    expect(host.active).toBe(0);
  });

  it("timers due together fire in scheduling order, and one that throws does not stop the rest", () => {
    const clock = new FakeClock(0);
    const host = new FakeTimerHost(clock);
    const fired: string[] = [];
    const wheel = new TimerWheel<string>(host, clock, (p) => {
      fired.push(p);
      if (p === "boom") throw new Error("receiver failed");
    });
    wheel.schedule("1", 50, "boom");
    wheel.schedule("2", 50, "after");
    host.advance(50);
    expect(fired).toEqual(["boom", "after"]);
  });

  it("a timer scheduled from a firing callback is honoured; past deadlines fire at once", () => {
    const clock = new FakeClock(0);
    const host = new FakeTimerHost(clock);
    const fired: string[] = [];
    const wheel: TimerWheel<string> = new TimerWheel<string>(host, clock, (p) => {
      fired.push(p);
      if (p === "tick") wheel.schedule("tock", clock.now() + 20, "tock");
    });
    wheel.schedule("tick", 10, "tick");
    wheel.schedule("past", -5, "past");
    host.advance(0);
    expect(fired).toEqual(["past"]);
    host.advance(100);
    expect(fired).toEqual(["past", "tick", "tock"]);
  });

  it("rescheduling one id in a loop keeps the heap small", () => {
    const { host, wheel } = setup();
    for (let i = 0; i < 10_000; i++) wheel.schedule("same", 1000 + i, "v");
    expect(wheel.size).toBe(1);
    expect((wheel as unknown as { heap: unknown[] }).heap.length).toBeLessThan(200);
    expect(host.active).toBe(1);
  });

  it("shutdown cancels everything", () => {
    const { host, fired, wheel } = setup();
    wheel.schedule("a", 10, "a");
    wheel.shutdown();
    host.advance(100);
    expect(fired).toEqual([]);
    expect(host.active).toBe(0);
  });
});
