/**
 * Sheet layout and the dependency DAG (SCORE-SCHEMA.md §32): how many concrete sheets a score
 * has, which stage (movement) and voice each one is, and what each waits for.
 */
import type { SheetConfig } from "./config.ts";
import type { Located } from "./problems.ts";

/** Podium refuses scores that would expand past this many sheets (one job row per sheet). */
export const MAX_SHEETS = 10_000;
/** All-to-all fan-out edges grow as N×M; past this many the plan is refused. */
export const MAX_DEPENDENCY_EDGES = 500_000;

export interface SheetSlot {
  num: number;
  stage: number;
  /** 1-based instance within the stage. */
  instance: number;
  fanCount: number;
}

export interface SheetLayout {
  slots: SheetSlot[];
  /** Concrete sheet numbers of each stage, by stage number. */
  sheetsByStage: Map<number, number[]>;
  fannedOut: boolean;
}

export function layoutSheets(sheet: SheetConfig): { layout: SheetLayout } | { problem: Located } {
  const fanOut = Object.entries(sheet.fan_out);
  const slots: SheetSlot[] = [];
  if (fanOut.length === 0) {
    const total = Math.floor((sheet.total_items - sheet.start_item + sheet.size) / sheet.size);
    if (total > MAX_SHEETS) {
      return {
        problem: {
          path: "sheet.total_items",
          message: `gives ${total} sheets; Podium runs at most ${MAX_SHEETS}`,
        },
      };
    }
    for (let num = 1; num <= total; num++)
      slots.push({ num, stage: num, instance: 1, fanCount: 1 });
  } else {
    if (sheet.total_items > MAX_SHEETS) {
      return {
        problem: {
          path: "sheet.total_items",
          message: `gives at least ${sheet.total_items} sheets; Podium runs at most ${MAX_SHEETS}`,
        },
      };
    }
    const counts = new Map(fanOut.map(([stage, count]) => [Number(stage), count]));
    let total = 0;
    for (let stage = 1; stage <= sheet.total_items; stage++) total += counts.get(stage) ?? 1;
    if (total > MAX_SHEETS) {
      return {
        problem: {
          path: "sheet.fan_out",
          message: `expands to ${total} sheets; Podium runs at most ${MAX_SHEETS}`,
        },
      };
    }
    for (let stage = 1; stage <= sheet.total_items; stage++) {
      const fanCount = counts.get(stage) ?? 1;
      for (let instance = 1; instance <= fanCount; instance++) {
        slots.push({ num: slots.length + 1, stage, instance, fanCount });
      }
    }
  }
  const sheetsByStage = new Map<number, number[]>();
  for (const slot of slots) {
    const list = sheetsByStage.get(slot.stage) ?? [];
    list.push(slot.num);
    sheetsByStage.set(slot.stage, list);
  }
  return { layout: { slots, sheetsByStage, fannedOut: fanOut.length > 0 } };
}

function stageEdgeCount(dependents: number[], prerequisites: number[]): number {
  return dependents.length === prerequisites.length
    ? dependents.length
    : dependents.length * prerequisites.length;
}

/** Stage-level edge "stage T needs stage U" as concrete edges (§32 fan-out rules). */
function expandStageEdge(dependents: number[], prerequisites: number[]): Array<[number, number]> {
  if (dependents.length === prerequisites.length) {
    return dependents.map((sheet, index) => [sheet, prerequisites[index]!]); // 1->1 and N->N
  }
  return dependents.flatMap((sheet) => prerequisites.map((dep): [number, number] => [sheet, dep])); // 1->N, N->1, N->M
}

function tooManyEdges(path: string): Located {
  return {
    path,
    message: `expands to more than ${MAX_DEPENDENCY_EDGES} dependency edges; Podium allows at most that many`,
  };
}

/** The declared `sheet.dependencies`, expanded over fan-out voices and range-checked. */
function declaredEdges(
  sheet: SheetConfig,
  layout: SheetLayout,
): { edges: Map<number, Set<number>>; problems: Located[] } {
  const problems: Located[] = [];
  const edges = new Map<number, Set<number>>();
  const addEdge = (from: number, to: number) => {
    const prerequisites = edges.get(from);
    if (prerequisites) prerequisites.add(to);
    else edges.set(from, new Set([to]));
  };
  const total = layout.slots.length;
  let edgeCount = 0;
  for (const [key, prerequisites] of Object.entries(sheet.dependencies)) {
    const path = `sheet.dependencies.${key}`;
    const dependent = Number(key);
    if (layout.fannedOut) {
      // Stage ranges were checked by the schema; stages with [] produce no entry.
      for (const prerequisite of prerequisites) {
        const dependents = layout.sheetsByStage.get(dependent) ?? [];
        const prerequisiteSheets = layout.sheetsByStage.get(prerequisite) ?? [];
        edgeCount += stageEdgeCount(dependents, prerequisiteSheets);
        if (edgeCount > MAX_DEPENDENCY_EDGES) return { edges, problems: [tooManyEdges(path)] };
        for (const [from, to] of expandStageEdge(dependents, prerequisiteSheets)) addEdge(from, to);
      }
      continue;
    }
    const missing = (num: number) => ({
      path,
      message: `sheet ${num} does not exist (the score has ${total} sheets)`,
    });
    if (dependent > total) problems.push(missing(dependent));
    if (!edges.has(dependent)) edges.set(dependent, new Set());
    for (const prerequisite of prerequisites) {
      if (prerequisite > total) problems.push(missing(prerequisite));
      else addEdge(dependent, prerequisite);
    }
  }
  return { edges, problems };
}

/**
 * Each sheet's prerequisites, ascending. Declared dependencies are the whole DAG; with none
 * declared, every sheet of a stage waits for every sheet of the previous stage.
 */
export function buildDependencies(
  sheet: SheetConfig,
  layout: SheetLayout,
): { dependsOn: Map<number, number[]>; problems: Located[] } {
  const dependsOn = new Map<number, number[]>();
  const { edges, problems } = declaredEdges(sheet, layout);
  if (problems.length > 0) return { dependsOn, problems };
  if (edges.size > 0) {
    for (const slot of layout.slots) {
      dependsOn.set(
        slot.num,
        [...(edges.get(slot.num) ?? [])].sort((a, b) => a - b),
      );
    }
    return { dependsOn, problems };
  }
  let edgeCount = 0;
  for (const [stage, sheets] of layout.sheetsByStage) {
    edgeCount += sheets.length * (layout.sheetsByStage.get(stage - 1)?.length ?? 0);
  }
  if (edgeCount > MAX_DEPENDENCY_EDGES)
    return { dependsOn, problems: [tooManyEdges("sheet.fan_out")] };
  for (const slot of layout.slots) {
    dependsOn.set(slot.num, [...(layout.sheetsByStage.get(slot.stage - 1) ?? [])]);
  }
  return { dependsOn, problems };
}

/** Every distinct cycle found (at most `limit`), each as a closed walk `[a, b, ..., a]`. */
export function findCycles(dependsOn: Map<number, number[]>, limit = 10): number[][] {
  const state = new Map<number, "open" | "done">();
  const cycles: number[][] = [];
  const seen = new Set<string>();
  for (const start of dependsOn.keys()) {
    if (state.has(start) || cycles.length >= limit) continue;
    const stack: Array<{ node: number; next: number }> = [{ node: start, next: 0 }];
    state.set(start, "open");
    while (stack.length > 0 && cycles.length < limit) {
      const frame = stack[stack.length - 1]!;
      const deps = dependsOn.get(frame.node) ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.node, "done");
        stack.pop();
        continue;
      }
      const dep = deps[frame.next++]!;
      const depState = state.get(dep);
      if (depState === undefined) {
        state.set(dep, "open");
        stack.push({ node: dep, next: 0 });
      } else if (depState === "open") {
        const from = stack.findIndex((entry) => entry.node === dep);
        const members = stack.slice(from).map((entry) => entry.node);
        const id = [...members].sort((a, b) => a - b).join(",");
        if (!seen.has(id)) {
          seen.add(id);
          cycles.push([...members, dep]);
        }
      }
    }
  }
  return cycles;
}
