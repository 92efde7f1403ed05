import { describe, expect, it } from "vitest";
import { dagOf, parseInvalid, parseValid, score } from "./support.ts";

describe("sheet count and item ranges", () => {
  it("counts ceil((total_items - start_item + 1) / size) sheets, last one short", () => {
    const result = parseValid(score("size: 3\ntotal_items: 10\nstart_item: 2"));
    // items 2..10 = 9 items in batches of 3 -> 3 sheets: 2-4, 5-7, 8-10
    expect(result.sheets.map((s) => [s.num, s.startItem, s.endItem])).toEqual([
      [1, 2, 4],
      [2, 5, 7],
      [3, 8, 10],
    ]);
    const uneven = parseValid(score("size: 4\ntotal_items: 10"));
    expect(uneven.sheets.map((s) => [s.startItem, s.endItem])).toEqual([
      [1, 4],
      [5, 8],
      [9, 10],
    ]);
  });

  it("gives no sheets (with a warning) when start_item is past total_items", () => {
    const result = parseValid(score("size: 1\ntotal_items: 2\nstart_item: 5"));
    expect(result.sheets).toEqual([]);
    expect(result.warnings.some((w) => w.startsWith("sheet.start_item:"))).toBe(true);
  });

  it("without declared dependencies, each stage waits for the whole previous stage", () => {
    const result = parseValid(score("size: 1\ntotal_items: 3\nfan_out: {2: 2}"));
    expect(dagOf(result)).toEqual(["1:1<-[]", "2:2v1<-[1]", "3:2v2<-[1]", "4:3<-[2,3]"]);
  });

  it("with declared dependencies, unlisted sheets are independent", () => {
    const result = parseValid(score("size: 1\ntotal_items: 4\ndependencies: {3: [1]}"));
    expect(dagOf(result)).toEqual(["1:1<-[]", "2:2<-[]", "3:3<-[1]", "4:4<-[]"]);
  });

  it("de-duplicates repeated dependencies and sorts them", () => {
    const result = parseValid(score("size: 1\ntotal_items: 3\ndependencies: {3: [2, 1, 2]}"));
    expect(result.sheets[2]!.dependsOn).toEqual([1, 2]);
  });
});

describe("fan-out expansion of stage dependencies", () => {
  it("1 -> N: every voice waits for the single source sheet", () => {
    const result = parseValid(
      score("size: 1\ntotal_items: 2\nfan_out: {2: 3}\ndependencies: {2: [1]}"),
    );
    expect(dagOf(result)).toEqual(["1:1<-[]", "2:2v1<-[1]", "3:2v2<-[1]", "4:2v3<-[1]"]);
  });

  it("N -> 1: the fan-in sheet waits for every voice", () => {
    const result = parseValid(
      score("size: 1\ntotal_items: 2\nfan_out: {1: 3}\ndependencies: {2: [1]}"),
    );
    expect(dagOf(result)).toEqual(["1:1v1<-[]", "2:1v2<-[]", "3:1v3<-[]", "4:2<-[1,2,3]"]);
  });

  it("N -> N: voice i waits for voice i", () => {
    const result = parseValid(
      score("size: 1\ntotal_items: 2\nfan_out: {1: 2, 2: 2}\ndependencies: {2: [1]}"),
    );
    expect(dagOf(result)).toEqual(["1:1v1<-[]", "2:1v2<-[]", "3:2v1<-[1]", "4:2v2<-[2]"]);
  });

  it("N -> M (N != M): all to all", () => {
    const result = parseValid(
      score("size: 1\ntotal_items: 2\nfan_out: {1: 2, 2: 3}\ndependencies: {2: [1]}"),
    );
    expect(dagOf(result)).toEqual([
      "1:1v1<-[]",
      "2:1v2<-[]",
      "3:2v1<-[1,2]",
      "4:2v2<-[1,2]",
      "5:2v3<-[1,2]",
    ]);
  });

  it("stage-keyed skip_when_command is copied to every voice; descriptions stay per sheet", () => {
    const result = parseValid(
      score(
        "size: 1\ntotal_items: 2\nfan_out: {2: 2}\nskip_when_command: {2: {command: 'test -f {workspace}/skip'}}\ndescriptions: {3: third}",
      ),
    );
    expect(result.sheets.map((s) => s.skipWhenCommand?.command ?? null)).toEqual([
      null,
      "test -f {workspace}/skip",
      "test -f {workspace}/skip",
    ]);
    expect(result.sheets[2]!.skipWhenCommand?.timeoutSeconds).toBe(10);
    expect(result.sheets.map((s) => s.description)).toEqual([null, null, "third"]);
  });

  it("uses the movement name as description when no sheet description is given", () => {
    const result = parseValid(
      score(
        "size: 1\ntotal_items: 2\ndescriptions: {2: own}",
        "movements: {1: {name: Setup}, 2: {name: Work}}\n",
      ),
    );
    expect(result.sheets.map((s) => s.description)).toEqual(["Setup", "own"]);
  });

  it("refuses fan-outs whose all-to-all edges would explode", () => {
    const result = parseInvalid(
      score("size: 1\ntotal_items: 2\nfan_out: {1: 999, 2: 1001}\ndependencies: {2: [1]}"),
    );
    expect(result.problems[0]).toMatchObject({ path: "sheet.dependencies.2", line: 6 });
    expect(result.problems[0]!.message).toMatch(/dependency edges/);
    const chained = parseInvalid(score("size: 1\ntotal_items: 2\nfan_out: {1: 999, 2: 1001}"));
    expect(chained.problems[0]).toMatchObject({ path: "sheet.fan_out", line: 5 });
  });

  it("refuses a fan-out score with more stages than the sheet limit without expanding it", () => {
    const result = parseInvalid(score("size: 1\ntotal_items: 9000000000000\nfan_out: {1: 2}"));
    expect(result.problems[0]).toMatchObject({ path: "sheet.total_items", line: 4 });
  });

  it("refuses a score that would expand past the sheet limit", () => {
    const result = parseInvalid(score("size: 1\ntotal_items: 2000000"));
    expect(result.problems[0]).toMatchObject({ path: "sheet.total_items", line: 4 });
  });
});
