/**
 * The job page's sheet graph: every sheet gets a box, boxes never overlap, each dependency is an
 * edge, and a sheet always sits to the right of the sheets it depends on.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NODE_HEIGHT,
  NODE_WIDTH,
  dagShapeKey,
  layoutDag,
  type DagInput,
  type DagLayout,
  type PlacedNode,
} from "../../../apps/web/components/job/dag-layout.ts";

function nodeOf(placed: DagLayout, num: number): PlacedNode {
  const node = placed.nodes.find((candidate) => candidate.num === num);
  if (!node) throw new Error(`sheet ${num} was not placed`);
  return node;
}

function overlaps(a: PlacedNode, b: PlacedNode): boolean {
  return Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;
}

function expectSoundLayout(sheets: readonly DagInput[], placed: DagLayout): void {
  expect(placed.nodes.map((node) => node.num)).toEqual(sheets.map((sheet) => sheet.num));

  for (const [i, a] of placed.nodes.entries()) {
    // Inside the drawing area, box edges included.
    expect(a.x - NODE_WIDTH / 2).toBeGreaterThanOrEqual(0);
    expect(a.y - NODE_HEIGHT / 2).toBeGreaterThanOrEqual(0);
    expect(a.x + NODE_WIDTH / 2).toBeLessThanOrEqual(placed.width);
    expect(a.y + NODE_HEIGHT / 2).toBeLessThanOrEqual(placed.height);
    for (const b of placed.nodes.slice(i + 1)) {
      expect(overlaps(a, b), `sheets ${a.num} and ${b.num} overlap`).toBe(false);
    }
  }

  const known = new Set(sheets.map((sheet) => sheet.num));
  const expectedEdges = sheets
    .flatMap((sheet) =>
      sheet.dependsOn.filter((dep) => known.has(dep)).map((dep) => `${dep}->${sheet.num}`),
    )
    .sort();
  expect(placed.edges.map((edge) => `${edge.from}->${edge.to}`).sort()).toEqual([
    ...new Set(expectedEdges),
  ]);

  for (const edge of placed.edges) {
    const from = nodeOf(placed, edge.from);
    const to = nodeOf(placed, edge.to);
    // Left to right: a dependency ends before its dependent begins.
    expect(from.x + NODE_WIDTH / 2).toBeLessThanOrEqual(to.x - NODE_WIDTH / 2);
    expect(edge.points.length).toBeGreaterThanOrEqual(2);
    const first = edge.points[0]!;
    const last = edge.points.at(-1)!;
    expect(first.x).toBeGreaterThanOrEqual(from.x);
    expect(last.x).toBeLessThanOrEqual(to.x);
    for (const point of edge.points) {
      expect(point.x).toBeGreaterThanOrEqual(from.x);
      expect(point.x).toBeLessThanOrEqual(to.x);
    }
  }
}

describe("layoutDag", () => {
  it("draws nothing for no sheets", () => {
    const placed = layoutDag([]);
    expect(placed.nodes).toEqual([]);
    expect(placed.edges).toEqual([]);
  });

  it("lays a chain out in one row, left to right in dependency order", () => {
    const sheets = [
      { num: 1, dependsOn: [] },
      { num: 2, dependsOn: [1] },
      { num: 3, dependsOn: [2] },
    ];
    const placed = layoutDag(sheets);
    expectSoundLayout(sheets, placed);
    const [one, two, three] = [1, 2, 3].map((num) => nodeOf(placed, num));
    expect(one!.x).toBeLessThan(two!.x);
    expect(two!.x).toBeLessThan(three!.x);
    expect(new Set([one!.y, two!.y, three!.y]).size).toBe(1);
    expect(placed.width).toBeGreaterThan(placed.height);
  });

  it("stacks independent sheets of the same stage in one column", () => {
    // A fan-out and fan-in: 1 -> {2, 3, 4} -> 5.
    const sheets = [
      { num: 1, dependsOn: [] },
      { num: 2, dependsOn: [1] },
      { num: 3, dependsOn: [1] },
      { num: 4, dependsOn: [1] },
      { num: 5, dependsOn: [2, 3, 4] },
    ];
    const placed = layoutDag(sheets);
    expectSoundLayout(sheets, placed);
    const middle = [2, 3, 4].map((num) => nodeOf(placed, num));
    expect(new Set(middle.map((node) => node.x)).size).toBe(1);
    expect(new Set(middle.map((node) => node.y)).size).toBe(3);
    expect(placed.edges).toHaveLength(6);
  });

  it("places sheets with no dependencies side by side without overlap", () => {
    const sheets = Array.from({ length: 6 }, (_, i) => ({ num: i + 1, dependsOn: [] }));
    const placed = layoutDag(sheets);
    expectSoundLayout(sheets, placed);
    expect(placed.edges).toEqual([]);
  });

  it("draws no edge to a sheet that is not in the job", () => {
    const sheets = [
      { num: 1, dependsOn: [] },
      { num: 2, dependsOn: [1, 99] },
    ];
    const placed = layoutDag(sheets);
    expectSoundLayout(sheets, placed);
    expect(placed.edges.map((edge) => [edge.from, edge.to])).toEqual([[1, 2]]);
  });

  it("gives the same picture for the same sheets", () => {
    const sheets = [
      { num: 1, dependsOn: [] },
      { num: 2, dependsOn: [1] },
      { num: 3, dependsOn: [1] },
      { num: 4, dependsOn: [2, 3] },
    ];
    expect(layoutDag(sheets)).toEqual(layoutDag(sheets.map((sheet) => ({ ...sheet }))));
  });

  it("places any acyclic set of sheets soundly", () => {
    /** Sheet n may depend only on sheets before it, as a validated score guarantees. */
    const dags = fc.integer({ min: 1, max: 14 }).chain((count) =>
      fc.tuple(
        ...Array.from({ length: count }, (_, index) =>
          fc
            .uniqueArray(fc.integer({ min: 1, max: Math.max(1, index) }), {
              maxLength: Math.min(index, 3),
            })
            .map((deps) => ({ num: index + 1, dependsOn: index === 0 ? [] : deps })),
        ),
      ),
    );
    fc.assert(
      fc.property(dags, (sheets) => expectSoundLayout(sheets, layoutDag(sheets))),
      { numRuns: 60 },
    );
  });
});

describe("dagShapeKey", () => {
  const sheets = [
    { num: 1, dependsOn: [], status: "COMPLETED" },
    { num: 2, dependsOn: [1], status: "RUNNING" },
  ];

  it("stays the same when only statuses change", () => {
    const later = sheets.map((sheet) => ({ ...sheet, status: "FAILED" }));
    expect(dagShapeKey(later)).toBe(dagShapeKey(sheets));
  });

  it("changes when a sheet or an edge changes", () => {
    const key = dagShapeKey(sheets);
    expect(dagShapeKey([...sheets, { num: 3, dependsOn: [], status: "READY" }])).not.toBe(key);
    expect(dagShapeKey([sheets[0]!, { ...sheets[1]!, dependsOn: [] }])).not.toBe(key);
    // Different graphs whose numbers would read the same if run together.
    expect(dagShapeKey([{ num: 1, dependsOn: [2, 3] }])).not.toBe(
      dagShapeKey([{ num: 1, dependsOn: [23] }]),
    );
  });
});
