/**
 * What the live output pane shows, read from a job's event log: the `sheet.output` events of
 * one sheet (or of every sheet), newest last, capped so a long-running agent cannot grow the
 * page without end. Pure, no React.
 */
import type { EventData } from "../../../server/src/contracts/event-log.ts";
import type { LogEvent } from "./event-log-store.ts";

/** The pane keeps this many characters of output, dropping the oldest first. */
export const LIVE_OUTPUT_MAX_CHARS = 32_000;

export interface LiveOutputView {
  text: string;
  /** True when older output was dropped to stay within the cap. */
  clipped: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  batches: number;
}

/** As the server emits it; read defensively, since it arrives as JSON over the wire. */
type OutputData = Partial<EventData<"sheet.output">>;

export function liveOutputView(
  events: readonly LogEvent[],
  sheetNum: number | null,
  maxChars = LIVE_OUTPUT_MAX_CHARS,
): LiveOutputView {
  const parts: string[] = [];
  let length = 0;
  let clipped = false;
  let inputTokens: number | null = null;
  let outputTokens: number | null = null;
  let batches = 0;
  // Newest first, so the walk stops once the cap is reached.
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.event !== "sheet.output") continue;
    if (sheetNum !== null && event.sheetNum !== sheetNum) continue;
    const data = (event.data ?? {}) as OutputData;
    if (batches === 0) {
      inputTokens = typeof data.inputTokens === "number" ? data.inputTokens : null;
      outputTokens = typeof data.outputTokens === "number" ? data.outputTokens : null;
    }
    batches += 1;
    const text = typeof data.text === "string" ? data.text : "";
    if (text === "") continue;
    const line = sheetNum === null ? prefixed(event.sheetNum, text) : text;
    if (length + line.length > maxChars) {
      clipped = true;
      break;
    }
    parts.push(line);
    length += line.length + 1;
  }
  return { text: parts.reverse().join("\n"), clipped, inputTokens, outputTokens, batches };
}

function prefixed(sheetNum: number, text: string): string {
  return text
    .split("\n")
    .map((line) => `[${sheetNum}] ${line}`)
    .join("\n");
}
