/** Small text helpers shared by the terminal views. */
import type { JobView, SheetRow } from "../operations.ts";

export function money(usd: number): string {
  return `$${usd.toFixed(usd > 0 && usd < 0.01 ? 4 : 2)}`;
}

export function seconds(fromIso: string | null, toIso: string | null, now = Date.now()): string {
  if (fromIso === null) return "-";
  const end = toIso === null ? now : Date.parse(toIso);
  const total = Math.max(0, Math.round((end - Date.parse(fromIso)) / 1000));
  const minutes = Math.floor(total / 60);
  return minutes > 0 ? `${minutes}m${String(total % 60).padStart(2, "0")}s` : `${total}s`;
}

export function sheetLabel(sheet: SheetRow): string {
  return sheet.voice === null ? `${sheet.num}` : `${sheet.num} (voice ${sheet.voice})`;
}

/** Rows of cells to aligned columns. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export const SHEET_HEADER = ["sheet", "movement", "status", "instrument", "attempts", "cost"];

export function sheetCells(sheet: SheetRow): string[] {
  return [
    sheetLabel(sheet),
    String(sheet.movement),
    sheet.status.toLowerCase(),
    sheet.instrument,
    String(sheet.attempts.length),
    money(sheet.costUsd),
  ];
}

export function jobSummary(job: JobView): string {
  const pause = job.status === "PAUSED" && job.pauseReason ? ` (${job.pauseReason})` : "";
  return (
    `job ${job.id} "${job.name}": ${job.status.toLowerCase()}${pause}, ` +
    `${job.completedSheets}/${job.totalSheets} sheets, ${money(job.costUsd)}, ` +
    `${seconds(job.startedAt ?? job.createdAt, job.completedAt)}`
  );
}

/** "sheet 3 completed" / "job failed: reason" from an event. */
export function eventLine(event: {
  event: string;
  sheetNum: number;
  data: Record<string, unknown>;
  timestamp: string;
}): string {
  const time = event.timestamp.slice(11, 19);
  const subject = event.sheetNum > 0 ? `sheet ${event.sheetNum} ` : "";
  const detail =
    typeof event.data.reason === "string"
      ? `: ${event.data.reason}`
      : typeof event.data.error === "string"
        ? `: ${event.data.error}`
        : typeof event.data.message === "string"
          ? `: ${event.data.message}`
          : "";
  return `${time} ${subject}${event.event}${detail}`;
}

/** The text of a `sheet.output` event, whatever the instrument's chunk field is called. */
export function outputText(data: Record<string, unknown>): string {
  for (const key of ["text", "chunk", "output", "data"]) {
    const value = data[key];
    if (typeof value === "string") return value;
  }
  return `${JSON.stringify(data)}\n`;
}

export function isTerminalSheet(status: string): boolean {
  return ["COMPLETED", "FAILED", "SKIPPED", "CANCELLED"].includes(status);
}
