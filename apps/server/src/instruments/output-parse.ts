/**
 * Reads an instrument's stdout as the profile declares it (SCORE-SCHEMA.md §35.3): plain text,
 * one JSON document, or JSON lines; pulls out the answer, an error message and token counts by
 * dot paths (`usage.input_tokens`, `items[0].text`, `stats.models.*.tokens.prompt`).
 */
import type { CliProfile } from "./profile-schema.ts";

type OutputConfig = CliProfile["output"];

export interface ParsedOutput {
  /** False when the format is json/jsonl but nothing parsed. */
  structured: boolean;
  resultText: string;
  errorText: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Cost in USD at the profile's cost_path. */
  costUsd: number | null;
  /** Model names seen in the output (`model`, or keys under a `models` wildcard). */
  modelUsed: string | null;
  events: unknown[];
}

/** Every value at `path`; `*` matches each key/element, `name[2]` indexes an array. */
export function valuesAtPath(root: unknown, path: string): unknown[] {
  const segments = path
    .split(".")
    .flatMap((segment) => segment.split(/(?=\[)/))
    .filter((segment) => segment !== "");
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    const index = /^\[(\d+)\]$/.exec(segment);
    for (const value of current) {
      if (value === null || typeof value !== "object") continue;
      if (segment === "*" || segment === "[*]") {
        next.push(...Object.values(value as object));
      } else if (index) {
        if (Array.isArray(value)) next.push(value[Number(index[1])]);
      } else if (segment in (value as object)) {
        next.push((value as Record<string, unknown>)[segment]);
      }
    }
    current = next.filter((value) => value !== undefined);
  }
  return current;
}

function tokenCount(roots: unknown[], path: string | null, aggregate: boolean): number | null {
  if (path === null) return null;
  const numbers = roots
    .flatMap((root) => valuesAtPath(root, path))
    .map((value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value))
    .filter((value): value is number => typeof value === "number" && Number.isFinite(value));
  if (numbers.length === 0) return null;
  return aggregate ? numbers.reduce((sum, value) => sum + value, 0) : numbers[0]!;
}

/** The last number at `path` over the events: CLIs report a running or final total. */
function lastNumber(roots: unknown[], path: string | null): number | null {
  for (let i = roots.length - 1; i >= 0; i--) {
    const found = tokenCount([roots[i]], path, false);
    if (found !== null) return found;
  }
  return null;
}

function textAt(root: unknown, path: string | null): string | null {
  if (path === null) return null;
  const [value] = valuesAtPath(root, path);
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function parseJsonDocument(stdout: string): unknown {
  const trimmed = stdout.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    // Some CLIs print a banner first; the document is then the last line that parses.
    const lines = trimmed.split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        return JSON.parse(lines[i]!);
      } catch {
        continue;
      }
    }
    return undefined;
  }
}

function parseJsonLines(stdout: string): unknown[] {
  const events: unknown[] = [];
  for (const line of stdout.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      events.push(JSON.parse(trimmed));
    } catch {
      continue;
    }
  }
  return events;
}

/** The event itself or one of its object-valued fields (codex puts `type` on `item`). */
function filterTarget(
  event: Record<string, unknown>,
  filter: Record<string, string>,
): object | null {
  const candidates = [
    event,
    ...Object.values(event).filter((v) => v !== null && typeof v === "object"),
  ];
  for (const candidate of candidates) {
    const matches = Object.entries(filter).every(([key, expected]) => {
      const [value] = valuesAtPath(candidate, key);
      return value !== undefined && String(value) === expected;
    });
    if (matches) return candidate as object;
  }
  return null;
}

const TEXT_KEYS = ["text", "content", "message", "result", "response"];

function eventText(target: object, resultPath: string | null): string | null {
  const explicit = textAt(target, resultPath);
  if (explicit !== null) return explicit;
  for (const key of TEXT_KEYS) {
    const value = (target as Record<string, unknown>)[key];
    if (typeof value === "string") return value;
  }
  return null;
}

export function eventMatches(
  event: unknown,
  type: string | null,
  filter: Record<string, string> | null,
): object | null {
  if (type === null || event === null || typeof event !== "object") return null;
  const record = event as Record<string, unknown>;
  if (record.type !== type) return null;
  return filter === null ? record : filterTarget(record, filter);
}

function modelFrom(roots: unknown[], config: OutputConfig): string | null {
  if (config.model_path !== null) {
    for (const root of roots) {
      for (const value of valuesAtPath(root, config.model_path)) {
        if (typeof value === "string" && value !== "") return value;
        if (value !== null && typeof value === "object" && Object.keys(value).length > 0)
          return Object.keys(value).join(",");
      }
    }
  }
  for (const root of roots) {
    const [model] = valuesAtPath(root, "model");
    if (typeof model === "string") return model;
  }
  const wildcardPath = config.input_tokens_path ?? "";
  const star = wildcardPath.indexOf(".*.");
  if (star > 0) {
    for (const root of roots) {
      const [container] = valuesAtPath(root, wildcardPath.slice(0, star));
      if (container && typeof container === "object") {
        const names = Object.keys(container);
        if (names.length > 0) return names.join(",");
      }
    }
  }
  return null;
}

export function parseOutput(stdout: string, config: OutputConfig): ParsedOutput {
  const plain: ParsedOutput = {
    structured: false,
    resultText: stdout,
    errorText: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    modelUsed: null,
    events: [],
  };
  switch (config.format) {
    case "text":
      return plain;
    case "json": {
      const document = parseJsonDocument(stdout);
      if (document === undefined) return plain;
      return {
        structured: true,
        resultText:
          textAt(document, config.result_path) ?? (config.result_path === null ? stdout : ""),
        errorText: textAt(document, config.error_path),
        inputTokens: tokenCount([document], config.input_tokens_path, config.aggregate_tokens),
        outputTokens: tokenCount([document], config.output_tokens_path, config.aggregate_tokens),
        costUsd: tokenCount([document], config.cost_path, false),
        modelUsed: modelFrom([document], config),
        events: [document],
      };
    }
    case "jsonl": {
      const events = parseJsonLines(stdout);
      if (events.length === 0) return plain;
      const answers: string[] = [];
      for (const event of events) {
        const target = eventMatches(
          event,
          config.completion_event_type,
          config.completion_event_filter,
        );
        const text = target ? eventText(target, config.result_path) : null;
        if (text === null) continue;
        // Streamed pieces of one message (`"delta": true`, as Gemini CLI prints) join as they are.
        if ((target as { delta?: unknown }).delta === true && answers.length > 0)
          answers[answers.length - 1] += text;
        else answers.push(text);
      }
      const errors = events
        .map((event) => textAt(event, config.error_path))
        .filter((t) => t !== null);
      return {
        structured: true,
        resultText: answers.length > 0 ? answers.join("\n") : "",
        errorText: errors.length > 0 ? errors.join("\n") : null,
        inputTokens: tokenCount(events, config.input_tokens_path, config.aggregate_tokens),
        outputTokens: tokenCount(events, config.output_tokens_path, config.aggregate_tokens),
        costUsd: lastNumber(events, config.cost_path),
        modelUsed: modelFrom(events, config),
        events,
      };
    }
    default: {
      const unknownFormat: never = config.format;
      throw new Error(`unknown output format ${String(unknownFormat)}`);
    }
  }
}
