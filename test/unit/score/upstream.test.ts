import fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  dagOf,
  parseValid,
  readUpstream,
  upstreamPresent,
  upstreamScoresDir,
  warnIfUpstreamMissing,
} from "./support.ts";

warnIfUpstreamMissing("test/unit/score/upstream.test.ts");

describe.skipIf(!upstreamPresent)("upstream example scores", () => {
  const files = upstreamPresent
    ? fs
        .readdirSync(upstreamScoresDir)
        .filter((file) => file.endsWith(".yaml"))
        .sort()
    : [];

  it("finds the upstream scores", () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)("%s parses as valid, with its warnings pinned", (file) => {
    const result = parseValid(readUpstream(file), { baseDir: upstreamScoresDir });
    expect(result.sheets.length).toBeGreaterThan(0);
    expect(result.warnings).toMatchSnapshot();
  });

  // Expectations below were worked out by hand from each file's `sheet:` block.
  it("simple-sheet: size 5 over 10 items gives 2 batches chained by stage", () => {
    // sheet: {size: 5, total_items: 10}; no dependencies -> sheet 2 waits for sheet 1.
    const result = parseValid(readUpstream("getting-started__simple-sheet.yaml"));
    expect(dagOf(result)).toEqual(["1:1<-[]", "2:2<-[1]"]);
    expect(result.sheets.map((s) => [s.startItem, s.endItem])).toEqual([
      [1, 5],
      [6, 10],
    ]);
  });

  it("hello: 3 stages, stage 2 fanned out to 3 voices", () => {
    // total_items 3, fan_out {2: 3}, dependencies {2: [1], 3: [2]}:
    // sheet 1 = stage 1; sheets 2-4 = stage 2 voices 1-3 (1->N on sheet 1); sheet 5 = stage 3 (N->1).
    const result = parseValid(readUpstream("getting-started__hello.yaml"));
    expect(dagOf(result)).toEqual([
      "1:1<-[]",
      "2:2v1<-[1]",
      "3:2v2<-[1]",
      "4:2v3<-[1]",
      "5:3<-[2,3,4]",
    ]);
    expect(result.totalMovements).toBe(3);
    expect(result.sheets.map((s) => s.voiceCount)).toEqual([1, 3, 3, 3, 1]);
  });

  it("immune-cascade: two fan-outs (4 and 3 voices) with fan-in between", () => {
    // total_items 6, fan_out {2: 4, 4: 3}; deps 2<-1, 3<-2, 4<-3, 5<-4, 6<-5.
    // Sheets: 1 = s1; 2-5 = s2 v1-4; 6 = s3; 7-9 = s4 v1-3; 10 = s5; 11 = s6.
    const result = parseValid(readUpstream("patterns__immune-cascade.yaml"));
    expect(dagOf(result)).toEqual([
      "1:1<-[]",
      "2:2v1<-[1]",
      "3:2v2<-[1]",
      "4:2v3<-[1]",
      "5:2v4<-[1]",
      "6:3<-[2,3,4,5]",
      "7:4v1<-[6]",
      "8:4v2<-[6]",
      "9:4v3<-[6]",
      "10:5<-[7,8,9]",
      "11:6<-[10]",
    ]);
    expect(result.totalMovements).toBe(6);
  });

  it("parallel-research: declared dependencies are the whole DAG (diamond)", () => {
    // total_items 6, no fan-out; dependencies {2: [1], 3: [1], 4: [1], 5: [2, 3, 4], 6: [5]}.
    const result = parseValid(readUpstream("advanced__parallel-research.yaml"));
    expect(dagOf(result)).toEqual([
      "1:1<-[]",
      "2:2<-[1]",
      "3:3<-[1]",
      "4:4<-[1]",
      "5:5<-[2,3,4]",
      "6:6<-[5]",
    ]);
  });

  it("prefabrication: 2 voices fan in", () => {
    // total_items 5, fan_out {2: 2}; deps 2<-1, 3<-2, 4<-3, 5<-4 -> sheets 1, 2-3 (v1, v2), 4, 5, 6.
    const result = parseValid(readUpstream("patterns__prefabrication.yaml"));
    expect(dagOf(result)).toEqual([
      "1:1<-[]",
      "2:2v1<-[1]",
      "3:2v2<-[1]",
      "4:3<-[2,3]",
      "5:4<-[4]",
      "6:5<-[5]",
    ]);
  });

  it("instrument-showcase: instrument priority, aliases, fallbacks and timeouts", () => {
    // instrument: claude-code with instrument_config.timeout_seconds 600; aliases fast-scanner
    // (claude-code, timeout 300) and deep-analyst (claude-code, timeout 1200); instrument_map sends
    // 2,3 -> fast-scanner, 4,6 -> deep-analyst, 5 -> gemini-cli; per_sheet_instrument_config[5]
    // timeout 900; instrument_fallbacks [anthropic_api]; per_sheet_fallbacks[5] [claude-code, anthropic_api].
    const result = parseValid(readUpstream("advanced__instrument-showcase.yaml"));
    expect(
      result.sheets.map((s) => [s.num, s.instrument, s.timeoutSeconds, s.instrumentFallbacks]),
    ).toEqual([
      [1, "claude-code", 600, ["anthropic_api"]],
      [2, "claude-code", 300, ["anthropic_api"]],
      [3, "claude-code", 300, ["anthropic_api"]],
      [4, "claude-code", 1200, ["anthropic_api"]],
      [5, "gemini-cli", 900, ["claude-code", "anthropic_api"]],
      [6, "claude-code", 1200, ["anthropic_api"]],
    ]);
  });
});
