/**
 * Turns one line of a CLI's streaming output into progress items for the live pane: assistant
 * text, tool calls (name and a short summary of the arguments) and tokens so far. Which parser
 * applies is the profile's `output.progress`; lines a parser does not recognise yield nothing.
 */
import type { CliOutput } from "./profile-schema.ts";

export type ProgressItem =
  | { kind: "text"; text: string }
  | { kind: "tool"; name: string; summary: string }
  | { kind: "tokens"; input: number | null; output: number | null };

export type ProgressFormat =
  "none" | "text" | "claude_stream_json" | "codex_json" | "gemini_stream_json";

export type LineParser = (line: string) => ProgressItem[];

const SUMMARY_CHARS = 120;

/** The parser a profile asks for; by default plain lines for text output, nothing for JSON. */
export function progressParserFor(output: CliOutput): LineParser {
  const format: ProgressFormat = output.progress ?? (output.format === "text" ? "text" : "none");
  return PARSERS[format];
}

const PARSERS: Record<ProgressFormat, LineParser> = {
  none: () => [],
  text: (line) => (line.trim() === "" ? [] : [{ kind: "text", text: line }]),
  claude_stream_json: (line) => {
    const event = parseJson(line);
    if (event === null) return [];
    if (event.type === "assistant") {
      const message = record(event.message);
      const items: ProgressItem[] = [];
      for (const block of array(message?.content)) {
        const part = record(block);
        if (part?.type === "text" && typeof part.text === "string" && part.text !== "")
          items.push({ kind: "text", text: part.text });
        else if (part?.type === "tool_use" && typeof part.name === "string")
          items.push({ kind: "tool", name: part.name, summary: summarise(part.input) });
      }
      return items;
    }
    if (event.type === "result")
      return tokens(record(event.usage), "input_tokens", "output_tokens");
    return [];
  },
  codex_json: (line) => {
    const event = parseJson(line);
    if (event === null) return [];
    const item = record(event.item);
    if (event.type === "item.started" && item?.type === "command_execution")
      return [{ kind: "tool", name: "shell", summary: clip(String(item.command ?? "")) }];
    if (event.type === "item.started" && item?.type === "mcp_tool_call")
      return [
        { kind: "tool", name: String(item.tool ?? "tool"), summary: summarise(item.arguments) },
      ];
    if (
      event.type === "item.completed" &&
      item?.type === "agent_message" &&
      typeof item.text === "string"
    )
      return [{ kind: "text", text: item.text }];
    if (event.type === "turn.completed")
      return tokens(record(event.usage), "input_tokens", "output_tokens");
    return [];
  },
  gemini_stream_json: (line) => {
    const event = parseJson(line);
    if (event === null) return [];
    if (event.type === "message" && event.role === "assistant" && typeof event.content === "string")
      return event.content === "" ? [] : [{ kind: "text", text: event.content }];
    if (event.type === "tool_use" && typeof event.tool_name === "string")
      return [{ kind: "tool", name: event.tool_name, summary: summarise(event.parameters) }];
    if (event.type === "result")
      return tokens(record(event.stats), "input_tokens", "output_tokens");
    return [];
  },
};

type Json = Record<string, unknown>;

function parseJson(line: string): Json | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return null;
  try {
    return record(JSON.parse(trimmed));
  } catch {
    return null;
  }
}

function record(value: unknown): Json | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Json)
    : null;
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function tokens(usage: Json | null, inputKey: string, outputKey: string): ProgressItem[] {
  if (usage === null) return [];
  const num = (value: unknown) =>
    typeof value === "number" && Number.isFinite(value) ? value : null;
  const input = num(usage[inputKey]);
  const output = num(usage[outputKey]);
  return input === null && output === null ? [] : [{ kind: "tokens", input, output }];
}

/** The arguments people recognise a call by (a path, a command, a pattern), else compact JSON. */
function summarise(input: unknown): string {
  const args = record(input);
  if (args === null) return "";
  for (const key of ["file_path", "path", "command", "pattern", "url", "query", "description"]) {
    const value = args[key];
    if (typeof value === "string" && value !== "") return clip(value);
  }
  return clip(JSON.stringify(args));
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= SUMMARY_CHARS ? flat : `${flat.slice(0, SUMMARY_CHARS - 1)}…`;
}
