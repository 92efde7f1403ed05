/**
 * Live output of one run: stdout is split into lines as it arrives (a bounded buffer, so a
 * line without a newline cannot grow without end), each line goes through the profile's
 * progress parser, and what it yields is coalesced into at most one batch per interval, each
 * bounded in bytes and marked when something was cut. The batches become `sheet.output` events.
 */
import type { LineParser, ProgressItem } from "./progress-parse.ts";

/** One `sheet.output` event's data. */
export interface OutputBatch {
  /** Assistant text and tool calls, in order; tool calls read `→ Name summary`. */
  text: string;
  /** Tokens so far, when the CLI has said. */
  inputTokens: number | null;
  outputTokens: number | null;
  /** True when text was left out to keep the batch within its bound. */
  truncated: boolean;
}

export interface LiveOutputOptions {
  parse: LineParser;
  publish: (batch: OutputBatch) => void;
  /** Least time between two batches (default 500 ms: two a second). */
  intervalMs?: number;
  /** Bound of a batch's text in UTF-8 bytes (default 2 KB). */
  maxTextBytes?: number;
  /** Longest line kept for parsing; the rest of a longer line is dropped (default 1 MB). */
  maxLineBytes?: number;
  now?: () => number;
}

export const TRUNCATION_MARKER = "\n[… output cut]";

export class LiveOutput {
  private readonly intervalMs: number;
  private readonly maxTextBytes: number;
  private readonly maxLineBytes: number;
  private readonly now: () => number;
  private partial = "";
  /** Inside a line that outgrew the buffer: drop until its newline. */
  private skipping = false;
  private pending: string[] = [];
  private pendingBytes = 0;
  private truncated = false;
  private tokens: { input: number | null; output: number | null } = { input: null, output: null };
  private tokensChanged = false;
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LiveOutputOptions) {
    this.intervalMs = options.intervalMs ?? 500;
    this.maxTextBytes = options.maxTextBytes ?? 2048;
    this.maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  push(chunk: Buffer | string): void {
    if (this.closed) return;
    const lines = (this.partial + chunk.toString()).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      if (this.skipping) this.skipping = false;
      else this.line(line);
    }
    if (this.partial.length > this.maxLineBytes) {
      this.partial = "";
      this.skipping = true;
    }
    this.schedule();
  }

  /** Publishes what is left (a last line without newline included) and stops. */
  close(): void {
    if (this.closed) return;
    if (this.partial !== "" && !this.skipping) this.line(this.partial);
    this.partial = "";
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private line(line: string): void {
    let items: ProgressItem[];
    try {
      items = this.options.parse(line);
    } catch {
      return;
    }
    for (const item of items) {
      if (item.kind === "tokens") {
        this.tokens = {
          input: item.input ?? this.tokens.input,
          output: item.output ?? this.tokens.output,
        };
        this.tokensChanged = true;
      } else {
        this.append(item.kind === "text" ? item.text : `→ ${item.name} ${item.summary}`.trimEnd());
      }
    }
  }

  private append(text: string): void {
    if (this.truncated) return;
    const room = this.maxTextBytes - this.pendingBytes - (this.pending.length > 0 ? 1 : 0);
    const bytes = Buffer.byteLength(text);
    if (bytes <= room) {
      this.pending.push(text);
      this.pendingBytes += bytes + (this.pending.length > 1 ? 1 : 0);
      return;
    }
    const kept = cutToBytes(text, Math.max(0, room - Buffer.byteLength(TRUNCATION_MARKER)));
    if (kept !== "") this.pending.push(kept);
    this.truncated = true;
  }

  private schedule(): void {
    if (this.timer !== undefined || !this.hasNews()) return;
    const wait = this.lastPublishedAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private hasNews(): boolean {
    return this.pending.length > 0 || this.truncated || this.tokensChanged;
  }

  private flush(): void {
    if (!this.hasNews()) return;
    const batch: OutputBatch = {
      text: this.pending.join("\n") + (this.truncated ? TRUNCATION_MARKER : ""),
      inputTokens: this.tokens.input,
      outputTokens: this.tokens.output,
      truncated: this.truncated,
    };
    this.pending = [];
    this.pendingBytes = 0;
    this.truncated = false;
    this.tokensChanged = false;
    this.lastPublishedAt = this.now();
    this.options.publish(batch);
  }
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString();
}
