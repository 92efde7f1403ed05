/**
 * Reads score YAML the way Marianne does (PyYAML `safe_load`, YAML 1.1), keeping what the
 * validator needs to point at lines: a map from dotted key paths to 1-based lines, and the
 * original type of every mapping key (YAML 1.1 turns `on:` or `2:` into non-string keys).
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node,
  type Tags,
} from "yaml";
import type { ScoreProblem } from "./types.ts";

export type KeyKind = "string" | "number" | "boolean" | "null" | "other";

/** Original key kinds of every mapping produced by `readYaml`, keyed by the plain object. */
const keyKindsByObject = new WeakMap<object, Record<string, KeyKind>>();

export function keyKindsOf(value: object): Record<string, KeyKind> | undefined {
  return keyKindsByObject.get(value);
}

export interface LineIndex {
  /** Line of the node at `path`, or of its nearest ancestor that has one. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export type YamlReadResult =
  { ok: true; value: unknown; lines: LineIndex } | { ok: false; problems: ScoreProblem[] };

const BOOL_TAG = "tag:yaml.org,2002:bool";
const FLOAT_TAG = "tag:yaml.org,2002:float";
/** The `yaml` package's YAML 1.1 plain float pattern (dot required, digits optional). */
const PLAIN_FLOAT_SOURCE = "^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$";

/**
 * The `yaml` package's 1.1 schema reads `y`/`n` as booleans, `1e3` as a number and `.` as NaN;
 * PyYAML keeps all three as strings (its floats need a digit, a dot, and a signed exponent).
 */
function pyyamlTags(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== "object" || !("test" in tag) || !tag.test) return tag;
    if (tag.tag === BOOL_TAG) {
      const isTrue = tag.test.test("true");
      return {
        ...tag,
        test: isTrue
          ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/
          : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
      };
    }
    if (tag.tag === FLOAT_TAG && tag.test.source === PLAIN_FLOAT_SOURCE) {
      // A lone "." or "._" is a string to PyYAML, not NaN.
      return { ...tag, test: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|[-+]?\.[0-9][0-9_]*)$/ };
    }
    if (tag.tag === FLOAT_TAG && tag.format === "EXP") {
      return { ...tag, test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/ };
    }
    return tag;
  });
}

function kindOfKey(key: unknown): KeyKind {
  if (typeof key === "string") return "string";
  if (typeof key === "number") return "number";
  if (typeof key === "boolean") return "boolean";
  if (key === null || key === undefined) return "null";
  return "other";
}

function keyToString(key: unknown): string {
  if (key instanceof Date) return key.toISOString().slice(0, 10);
  if (key === null || key === undefined) return "null";
  if (typeof key === "object") return JSON.stringify(key) ?? String(key);
  return String(key);
}

/** Turns the `mapAsMap` output into plain objects, remembering each key's original kind. */
function toPlain(value: unknown, seen: Map<unknown, unknown>): unknown {
  if (value instanceof Map) {
    const cached = seen.get(value);
    if (cached) return cached;
    const plain: Record<string, unknown> = {};
    const kinds: Record<string, KeyKind> = {};
    seen.set(value, plain);
    for (const [key, entry] of value) {
      const name = keyToString(key);
      plain[name] = toPlain(entry, seen);
      kinds[name] = kindOfKey(key);
    }
    keyKindsByObject.set(plain, kinds);
    return plain;
  }
  if (value instanceof Set) return toPlain([...value], seen);
  if (Array.isArray(value)) {
    const cached = seen.get(value);
    if (cached) return cached;
    const list: unknown[] = [];
    seen.set(value, list);
    for (const item of value) list.push(toPlain(item, seen));
    return list;
  }
  return value;
}

function buildLineIndex(root: Node | null, counter: LineCounter): LineIndex {
  const lines = new Map<string, number>();
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? counter.linePos(node.range[0]).line : undefined;
  const record = (path: string, line: number | undefined) => {
    if (line !== undefined && !lines.has(path)) lines.set(path, line);
  };
  const visit = (node: unknown, path: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = keyToString(pair.key.value);
        if (key === "<<") continue;
        const childPath = path === "" ? key : `${path}.${key}`;
        // A repeated key overrides the earlier one (last wins), so its line does too.
        const keyLine = lineAt(pair.key);
        if (keyLine !== undefined) lines.set(childPath, keyLine);
        // Int-keyed maps are validated under their normalised key ("01" -> "1").
        const asInt = key.trim() === "" ? Number.NaN : Number(key.trim());
        if (Number.isInteger(asInt) && String(asInt) !== key) {
          record(path === "" ? String(asInt) : `${path}.${asInt}`, keyLine);
        }
        if (!isAlias(pair.value)) visit(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const childPath = path === "" ? String(index) : `${path}.${index}`;
        record(childPath, lineAt(item as Node));
        if (!isAlias(item)) visit(item, childPath);
      });
    }
  };
  record("", lineAt(root) ?? 1);
  visit(root, "");
  return {
    lineOf(path) {
      const parts = path.map(String);
      for (let length = parts.length; length >= 0; length--) {
        const line = lines.get(parts.slice(0, length).join("."));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}

/**
 * Largest a score may be once its aliases are expanded, in characters of data. The alias count
 * limit alone does not bound this: 990 aliases of one 100 KB string are a 100 MB document.
 */
export const MAX_EXPANDED_SCORE_CHARS = 4 * 1024 * 1024;

/**
 * The size of `value` with every shared (aliased) node counted each time it is referenced,
 * computed once per node, so that the answer costs time linear in the document, not in its
 * expansion.
 */
function expandedSize(value: unknown, memo: Map<object, number>): number {
  if (typeof value === "string") return value.length + 2;
  if (value === null || typeof value !== "object") return 8;
  const known = memo.get(value);
  if (known !== undefined) return known;
  // A cycle (an alias inside its own anchor) counts once; PyYAML would expand it without end.
  memo.set(value, 0);
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) size += expandedSize(item, memo) + 1;
  } else if (value instanceof Date) {
    size = 24;
  } else {
    for (const [key, item] of Object.entries(value))
      size += key.length + 4 + expandedSize(item, memo);
  }
  memo.set(value, size);
  return size;
}

export function readYaml(text: string): YamlReadResult {
  const counter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, {
      version: "1.1",
      lineCounter: counter,
      uniqueKeys: false,
      merge: true,
      customTags: pyyamlTags,
      prettyErrors: false,
    });
  } catch (error) {
    return {
      ok: false,
      problems: [{ path: "", message: `YAML could not be read: ${String(error)}` }],
    };
  }
  // PyYAML's safe_load refuses tags it does not know (e.g. !!python/object); so does Podium.
  const tagProblems = doc.warnings.filter((warning) => warning.code === "TAG_RESOLVE_FAILED");
  if (doc.errors.length > 0 || tagProblems.length > 0) {
    return {
      ok: false,
      problems: [...doc.errors, ...tagProblems].map((error) => ({
        path: "",
        message: `${error.code === "TAG_RESOLVE_FAILED" ? "YAML tag not supported" : "YAML syntax error"}: ${error.message.split("\n")[0]}`,
        line: counter.linePos(error.pos[0]).line,
      })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ mapAsMap: true, maxAliasCount: 1_000 });
  } catch (error) {
    return {
      ok: false,
      problems: [{ path: "", message: `YAML could not be read: ${(error as Error).message}` }],
    };
  }
  const value = toPlain(raw, new Map());
  const expanded = expandedSize(value, new Map());
  if (expanded > MAX_EXPANDED_SCORE_CHARS) {
    return {
      ok: false,
      problems: [
        {
          path: "",
          message: `the score expands to about ${Math.round(expanded / 1024)} KB once its YAML aliases are resolved, over the limit of ${MAX_EXPANDED_SCORE_CHARS / 1024} KB`,
          line: 1,
        },
      ],
    };
  }
  return { ok: true, value, lines: buildLineIndex(doc.contents as Node | null, counter) };
}
