/**
 * The suite's ledger checks: what subscribers received against the event log, what the counter
 * files say ran, and what a client may never see in a response.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { LoggedEvent } from "./client.ts";

export const COUNTER_FILE = "counter.txt";

/** The sheet numbers a job's sheets appended to its counter file, in the order they ran. */
export function counterEntries(workspace: string): number[] {
  const file = path.join(workspace, COUNTER_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => Number(line.trim()));
}

/** How many times each of sheets 1..total appears; lists the sheets missing and repeated. */
export function tallyRuns(
  entries: readonly number[],
  total: number,
): { missing: number[]; repeated: number[]; foreign: number[] } {
  const counts = new Map<number, number>();
  for (const entry of entries) counts.set(entry, (counts.get(entry) ?? 0) + 1);
  const missing: number[] = [];
  const repeated: number[] = [];
  for (let sheet = 1; sheet <= total; sheet += 1) {
    const count = counts.get(sheet) ?? 0;
    if (count === 0) missing.push(sheet);
    if (count > 1) repeated.push(sheet);
  }
  const foreign = [...counts.keys()].filter(
    (sheet) => !(Number.isInteger(sheet) && sheet >= 1 && sheet <= total),
  );
  return { missing, repeated, foreign };
}

export function expectEverySheetRanOnce(workspace: string, total: number): void {
  const tally = tallyRuns(counterEntries(workspace), total);
  expect(tally, `counter file in ${workspace}`).toEqual({ missing: [], repeated: [], foreign: [] });
}

/** Seqs strictly increase: nothing delivered twice, nothing out of order. */
export function expectStrictlyIncreasing(events: readonly LoggedEvent[], who: string): void {
  for (let index = 1; index < events.length; index += 1) {
    if (events[index]!.seq <= events[index - 1]!.seq) {
      throw new Error(
        `${who}: seq ${events[index]!.seq} after ${events[index - 1]!.seq} (duplicate or out of order)`,
      );
    }
  }
}

/** The whole log has seqs 1..N with no hole. */
export function expectGapFreeLog(log: readonly LoggedEvent[]): void {
  expectStrictlyIncreasing(log, "event log");
  const holes: number[] = [];
  for (let index = 0; index < log.length; index += 1) {
    if (log[index]!.seq !== index + 1) {
      holes.push(index + 1);
      break;
    }
  }
  expect(holes, "first seq missing from the event log").toEqual([]);
}

/** A subscriber got exactly the log's events: same seqs, same names, nothing missing or doubled. */
export function expectSameEvents(
  received: readonly LoggedEvent[],
  log: readonly LoggedEvent[],
  who: string,
): void {
  expectStrictlyIncreasing(received, who);
  const receivedSeqs = new Set(received.map((event) => event.seq));
  const logSeqs = new Set(log.map((event) => event.seq));
  const missing = log.filter((event) => !receivedSeqs.has(event.seq)).map((event) => event.seq);
  const extra = received.filter((event) => !logSeqs.has(event.seq)).map((event) => event.seq);
  expect(
    { missing: missing.slice(0, 20), extra: extra.slice(0, 20), count: received.length },
    who,
  ).toEqual({
    missing: [],
    extra: [],
    count: log.length,
  });
  const names = received.map(
    (event) => `${event.seq}:${event.jobId}:${event.sheetNum}:${event.event}`,
  );
  expect(names, who).toEqual(
    log.map((event) => `${event.seq}:${event.jobId}:${event.sheetNum}:${event.event}`),
  );
}

/** JS stack frames ("    at fn (file:line)") and absolute source paths never reach a client. */
export function internalsIn(text: string): string[] {
  const found: string[] = [];
  const stackLine = /\bat [^\s"]+ \(?[^\s"()]*(?:\.ts|\.js|\.mjs|node:[a-z_/]+):\d+/;
  if (stackLine.test(text)) found.push(`stack frame: ${stackLine.exec(text)![0]}`);
  if (/\\n\s+at /.test(text)) found.push("stack trace (\\n    at …)");
  const sourcePath = /(?:\/work\/|\/apps\/server\/|node_modules|file:\/\/\/)[^\s"]*/;
  if (sourcePath.test(text)) found.push(`path: ${sourcePath.exec(text)![0]}`);
  return found;
}
