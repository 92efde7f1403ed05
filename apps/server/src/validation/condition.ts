/**
 * Validation `condition` (SCORE-SCHEMA.md §33 E): `<var> <op> <int>` clauses joined by ` and `.
 * As upstream, a clause that does not parse or names a missing or non-integer variable holds.
 */
import type { PlaceholderValues } from "./placeholders.ts";

const CLAUSE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+)\s*$/;

function compare(left: number, op: string, right: number): boolean {
  switch (op) {
    case ">=":
      return left >= right;
    case "<=":
      return left <= right;
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case ">":
      return left > right;
    case "<":
      return left < right;
    default:
      return true;
  }
}

export function conditionHolds(
  condition: string | null | undefined,
  values: PlaceholderValues,
): boolean {
  if (condition === null || condition === undefined || condition.trim() === "") return true;
  return condition.split(/\s+and\s+/).every((clause) => {
    const match = CLAUSE.exec(clause);
    if (!match) return true;
    const value = values[match[1]!];
    if (typeof value !== "number" || !Number.isInteger(value)) return true;
    return compare(value, match[2]!, Number(match[3]));
  });
}

/** The rule's effective condition: `condition`, else `sheet_num == <sheet>` from `sheet`. */
export function effectiveCondition(rule: Readonly<Record<string, unknown>>): string | null {
  if (typeof rule.condition === "string") return rule.condition;
  if (typeof rule.sheet === "number") return `sheet_num == ${rule.sheet}`;
  return null;
}
