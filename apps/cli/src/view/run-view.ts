/**
 * What `podium run --watch` shows while a job plays. On a terminal: one progress bar per movement
 * and a live table of the sheets that matter now (cli-progress redraws them in place), with
 * streamed output and notices printed above. Elsewhere (a pipe, a CI log): plain lines, one per
 * event, then the sheet table once at the end.
 */
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { JobView, SheetEvent, SheetRow } from "../operations.ts";
import {
  eventLine,
  isTerminalSheet,
  jobSummary,
  SHEET_HEADER,
  sheetCells,
  table,
} from "./format.ts";

export interface RunView {
  job(job: JobView): void;
  event(event: SheetEvent): void;
  output(text: string): void;
  notice(text: string): void;
  finish(job: JobView): void;
}

export function createRunView(stream: NodeJS.WriteStream = process.stdout): RunView {
  return stream.isTTY ? new TerminalView(stream) : new PlainView(stream);
}

class PlainView implements RunView {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  job(): void {}

  event(event: SheetEvent): void {
    if (event.event === "sheet.output") return;
    this.stream.write(`${eventLine(event)}\n`);
  }

  output(text: string): void {
    this.stream.write(text);
  }

  notice(text: string): void {
    this.stream.write(`${text}\n`);
  }

  finish(job: JobView): void {
    const lines = table(SHEET_HEADER, job.sheets.map(sheetCells));
    this.stream.write(`${lines.join("\n")}\n${jobSummary(job)}\n`);
  }
}

/** Sheets still to watch come first: playing, then waiting on a decision, then failed. */
const STATUS_ORDER = [
  "IN_PROGRESS",
  "DISPATCHED",
  "RETRY_SCHEDULED",
  "FERMATA",
  "WAITING",
  "FAILED",
  "READY",
  "PENDING",
  "COMPLETED",
  "SKIPPED",
  "CANCELLED",
];

function rank(sheet: SheetRow): number {
  const index = STATUS_ORDER.indexOf(sheet.status);
  return index === -1 ? STATUS_ORDER.length : index;
}

class TerminalView implements RunView {
  private readonly bars: MultiBar;
  private movementBars = new Map<number, SingleBar>();
  private rowBars: SingleBar[] = [];
  private summaryBar: SingleBar | null = null;
  private stopped = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.bars = new MultiBar(
      {
        stream,
        format: "{label} {bar} {value}/{total} sheets",
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        fps: 8,
      },
      Presets.shades_classic,
    );
  }

  job(job: JobView): void {
    if (this.stopped) return;
    if (this.movementBars.size === 0) this.layout(job);
    const byMovement = new Map<number, SheetRow[]>();
    for (const sheet of job.sheets) {
      const list = byMovement.get(sheet.movement) ?? [];
      list.push(sheet);
      byMovement.set(sheet.movement, list);
    }
    for (const [movement, bar] of this.movementBars) {
      const sheets = byMovement.get(movement) ?? [];
      bar.update(sheets.filter((sheet) => isTerminalSheet(sheet.status)).length);
    }
    const shown = [...job.sheets].sort((a, b) => rank(a) - rank(b) || a.num - b.num);
    const lines = table(SHEET_HEADER, shown.slice(0, this.rowBars.length - 1).map(sheetCells));
    this.rowBars.forEach((bar, index) => bar.update(0, { line: lines[index] ?? "" }));
    const hidden = job.sheets.length - (this.rowBars.length - 1);
    this.summaryBar?.update(0, {
      line: `${hidden > 0 ? `(${hidden} more sheets) ` : ""}${jobSummary(job)}`,
    });
  }

  private layout(job: JobView): void {
    const movements = [...new Set(job.sheets.map((sheet) => sheet.movement))].sort((a, b) => a - b);
    for (const movement of movements) {
      const total = job.sheets.filter((sheet) => sheet.movement === movement).length;
      this.movementBars.set(
        movement,
        this.bars.create(total, 0, { label: `movement ${movement}` }),
      );
    }
    const room = Math.max(3, (this.stream.rows || 24) - movements.length - 6);
    const rows = Math.min(job.sheets.length, room);
    const line = { format: "{line}" };
    for (let index = 0; index <= rows; index++)
      this.rowBars.push(this.bars.create(0, 0, { line: "" }, line));
    this.summaryBar = this.bars.create(0, 0, { line: "" }, line);
  }

  event(event: SheetEvent): void {
    if (event.event === "sheet.output" || this.stopped) return;
    if (event.event.endsWith(".failed") || event.event === "sheet.fermata")
      this.bars.log(`${eventLine(event)}\n`);
  }

  output(text: string): void {
    if (this.stopped) this.stream.write(text);
    else this.bars.log(text.endsWith("\n") ? text : `${text}\n`);
  }

  notice(text: string): void {
    if (this.stopped) this.stream.write(`${text}\n`);
    else this.bars.log(`${text}\n`);
  }

  finish(job: JobView): void {
    this.job(job);
    this.bars.stop();
    this.stopped = true;
  }
}
