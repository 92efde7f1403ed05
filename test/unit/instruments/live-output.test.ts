/** The live-output coalescer: line splitting, at most one batch per interval, bounded batches. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  LiveOutput,
  TRUNCATION_MARKER,
  type OutputBatch,
} from "../../../apps/server/src/instruments/live-output.ts";
import type { LineParser } from "../../../apps/server/src/instruments/progress-parse.ts";

const lines: LineParser = (line) => (line === "" ? [] : [{ kind: "text", text: line }]);

function collector(options: Partial<ConstructorParameters<typeof LiveOutput>[0]> = {}) {
  const batches: OutputBatch[] = [];
  const live = new LiveOutput({
    parse: lines,
    publish: (batch) => batches.push(batch),
    now: () => Date.now(),
    ...options,
  });
  return { live, batches };
}

describe("LiveOutput", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("publishes the first line at once, then at most one batch per 500 ms", () => {
    const { live, batches } = collector();
    live.push("one\n");
    expect(batches.map((b) => b.text)).toEqual(["one"]);
    for (let i = 0; i < 40; i++) {
      vi.advanceTimersByTime(25);
      live.push(`line ${i}\n`);
    }
    // 1000 ms of output every 25 ms: the first batch, then one at 500 ms and one at 1000 ms;
    // the line that arrived at 1000 ms follows 500 ms later, and then nothing more.
    expect(batches).toHaveLength(3);
    vi.advanceTimersByTime(500);
    expect(batches).toHaveLength(4);
    vi.advanceTimersByTime(5000);
    expect(batches).toHaveLength(4);
    const all = batches.flatMap((b) => b.text.split("\n"));
    expect(all).toEqual(["one", ...Array.from({ length: 40 }, (_, i) => `line ${i}`)]);
  });

  it("keeps a line that arrives in pieces whole, and publishes the last line without newline on close", () => {
    const { live, batches } = collector();
    live.push("hel");
    live.push("lo wor");
    expect(batches).toEqual([]);
    live.push("ld\ntail");
    live.close();
    expect(batches.map((b) => b.text)).toEqual(["hello world", "tail"]);
    live.push("after close\n");
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(2);
  });

  it("bounds each batch to 2 KB of text and marks the cut", () => {
    const { live, batches } = collector();
    live.push("first\n");
    live.push(`${"é".repeat(3000)}\nlost too\n`);
    vi.advanceTimersByTime(500);
    const cut = batches[1]!;
    expect(cut.truncated).toBe(true);
    expect(cut.text.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(Buffer.byteLength(cut.text)).toBeLessThanOrEqual(2048);
    expect(cut.text).not.toContain("\uFFFD");
    expect(cut.text).not.toContain("lost too");
    live.push("next\n");
    vi.advanceTimersByTime(500);
    expect(batches[2]).toMatchObject({ text: "next", truncated: false });
  });

  it("drops a line longer than the line buffer instead of growing without end", () => {
    const { live, batches } = collector({ maxLineBytes: 1024 });
    for (let i = 0; i < 10; i++) live.push("x".repeat(500));
    live.push("y\nafter\n");
    live.close();
    expect(batches.map((b) => b.text)).toEqual(["after"]);
  });

  it("carries the tokens so far, and publishes when only they changed", () => {
    const { live, batches } = collector({
      parse: (line) =>
        line.startsWith("tokens ")
          ? [{ kind: "tokens", input: Number(line.split(" ")[1]), output: null }]
          : lines(line),
    });
    live.push("hello\n");
    vi.advanceTimersByTime(600);
    live.push("tokens 120\n");
    expect(batches.at(-1)).toEqual({
      text: "",
      inputTokens: 120,
      outputTokens: null,
      truncated: false,
    });
    vi.advanceTimersByTime(600);
    live.push("more\n");
    expect(batches.at(-1)).toMatchObject({ text: "more", inputTokens: 120 });
  });
});
