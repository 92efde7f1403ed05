/**
 * Field types of SCORE-SCHEMA.md §0, with the lax coercions pydantic applies (`"3"` is an int,
 * `yes` is a bool, ...). Each helper returns a zod schema whose output is the coerced value.
 */
import { z } from "zod";
import { keyKindsOf } from "../yaml.ts";

type Bounds = { gt?: number; gte?: number; lt?: number; lte?: number };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function parseIntLike(text: string): number | undefined {
  const cleaned = text.trim().replace(/_/g, "");
  return /^[+-]?\d+(\.0*)?$/.test(cleaned) ? Number(cleaned) : undefined;
}

function coerceInt(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") return parseIntLike(value) ?? value;
  return value;
}

function coerceFloat(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const cleaned = value.trim().replace(/_/g, "");
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cleaned)) return Number(cleaned);
    return value;
  }
  return value;
}

const TRUE_WORDS = new Set(["true", "yes", "on", "y", "t", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "n", "f", "0"]);

function coerceBool(value: unknown): unknown {
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : value;
  if (typeof value === "string") {
    const word = value.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return value;
}

function bounded(schema: z.ZodNumber, bounds: Bounds): z.ZodNumber {
  let result = schema;
  if (bounds.gt !== undefined) result = result.gt(bounds.gt, { error: `must be > ${bounds.gt}` });
  if (bounds.gte !== undefined)
    result = result.gte(bounds.gte, { error: `must be ≥ ${bounds.gte}` });
  if (bounds.lt !== undefined) result = result.lt(bounds.lt, { error: `must be < ${bounds.lt}` });
  if (bounds.lte !== undefined)
    result = result.lte(bounds.lte, { error: `must be ≤ ${bounds.lte}` });
  return result;
}

export function int(bounds: Bounds = {}) {
  const base = z.number({ error: "expected an integer" }).int({ error: "expected an integer" });
  return z.preprocess(coerceInt, bounded(base, bounds));
}

export function float(bounds: Bounds = {}) {
  return z.preprocess(coerceFloat, bounded(z.number({ error: "expected a number" }), bounds));
}

export function bool() {
  return z.preprocess(coerceBool, z.boolean({ error: "expected a boolean (true/false)" }));
}

export function str() {
  return z.string({ error: "expected a string" });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of: ${values.join(", ")}` });
}

export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: "expected a list" });
}

/** `map<string,T>`: keys that YAML read as numbers, booleans or null are rejected. */
export function stringMap<T extends z.ZodType>(value: T) {
  return z.preprocess(
    (input, ctx) => {
      if (!isPlainObject(input)) return input;
      const kinds = keyKindsOf(input) ?? {};
      for (const key of Object.keys(input)) {
        const kind = kinds[key] ?? "string";
        if (kind !== "string") {
          ctx.issues.push({
            code: "custom",
            message: `key ${key} must be a string (YAML read it as a ${kind}; quote it)`,
            path: [key],
            input,
          });
        }
      }
      return input;
    },
    z.record(z.string(), value, { error: "expected a mapping" }),
  );
}

/** `map<int,T>`: keys coerced to integers (`"01"` -> 1, `true` -> 1); collapsing duplicates, last wins. */
export function intMap<T extends z.ZodType>(value: T, options: { minKey?: number } = {}) {
  return z.preprocess(
    (input, ctx) => {
      if (!isPlainObject(input)) return input;
      const kinds = keyKindsOf(input) ?? {};
      const normalised: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(input)) {
        const kind = kinds[key] ?? "string";
        const asInt =
          kind === "boolean"
            ? key === "true"
              ? 1
              : 0
            : kind === "number" || kind === "string"
              ? parseIntLike(key)
              : undefined;
        if (asInt === undefined || !Number.isSafeInteger(asInt)) {
          ctx.issues.push({
            code: "custom",
            message: `key '${key}' is not an integer`,
            path: [key],
            input,
          });
          continue;
        }
        if (options.minKey !== undefined && asInt < options.minKey) {
          ctx.issues.push({
            code: "custom",
            message: `key ${asInt} must be ≥ ${options.minKey}`,
            path: [key],
            input,
          });
          continue;
        }
        normalised[String(asInt)] = entry;
      }
      return normalised;
    },
    z.record(z.string(), value, { error: "expected a mapping" }),
  );
}

/** `map<string,any>` as used for free-form config blocks. */
export function freeMap() {
  return stringMap(z.unknown());
}

/** An object-typed field that defaults to its own defaults (as if written `{}`). */
export function withDefaults<T extends z.ZodType>(schema: T) {
  return schema.prefault({} as never);
}
