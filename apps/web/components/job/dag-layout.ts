/**
 * Places the sheets of a job left to right by dependency with dagre. Pure: the same sheets give
 * the same picture, so the layout is memoised on the graph's shape, not on statuses.
 */
import { Graph, layout } from "@dagrejs/dagre";

export interface DagInput {
  num: number;
  dependsOn: readonly number[];
}

export interface PlacedNode {
  num: number;
  /** Centre of the node. */
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: number;
  to: number;
  points: ReadonlyArray<{ x: number; y: number }>;
}

export interface DagLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 116;
export const NODE_HEIGHT = 38;
const MARGIN = 12;

export function layoutDag(sheets: readonly DagInput[]): DagLayout {
  const graph = new Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 46, marginx: MARGIN, marginy: MARGIN });
  graph.setDefaultEdgeLabel(() => ({}));
  const known = new Set(sheets.map((sheet) => sheet.num));
  for (const sheet of sheets)
    graph.setNode(String(sheet.num), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const sheet of sheets) {
    for (const dependency of sheet.dependsOn) {
      if (known.has(dependency)) graph.setEdge(String(dependency), String(sheet.num));
    }
  }
  layout(graph);

  const nodes = sheets.map((sheet) => {
    const placed = graph.node(String(sheet.num));
    return { num: sheet.num, x: placed?.x ?? 0, y: placed?.y ?? 0 };
  });
  const edges = graph.edges().map((edge) => ({
    from: Number(edge.v),
    to: Number(edge.w),
    points: graph.edge(edge)?.points ?? [],
  }));
  const label = graph.graph();
  return { nodes, edges, width: Math.ceil(label.width ?? 0), height: Math.ceil(label.height ?? 0) };
}

/** A dependency-graph key: changes only when sheets or edges change, not when statuses do. */
export function dagShapeKey(sheets: readonly DagInput[]): string {
  return sheets.map((sheet) => `${sheet.num}<${sheet.dependsOn.join(",")}`).join(";");
}
