/** The gateway's input limits, in one place so that the schema descriptions and errors agree. */
export const LIMITS = {
  /** Largest score text accepted by `submitJob` and `validateScore`, in bytes (UTF-8). */
  maxScoreBytes: 1024 * 1024,
  /** Largest `first` on any connection. */
  maxPageSize: 500,
  /** `first` when a connection is asked without one. */
  defaultPageSize: 50,
  /** Deepest selection set nesting accepted in one operation. */
  maxQueryDepth: 12,
  /** Highest estimated cost of one operation (see field-complexity.ts for how cost is counted). */
  maxQueryCost: 20_000,
  /**
   * Highest estimated cost of an operation's introspection subtrees, counted the same way: about
   * twice GraphiQL's full schema query, and far below nested `fields { type { fields … } }` chains.
   */
  maxIntrospectionCost: 100_000,
  /**
   * Highest cost of what one operation actually reads from lists whose length is known only
   * when they resolve (a job's sheets, up to 10,000): room for the dashboard's page of one such
   * job, not for many.
   */
  maxResolvedCost: 1_000_000,
  /**
   * Most lexical tokens in one GraphQL document. GraphiQL's introspection query has under 200;
   * the bound also keeps the parser's recursion far from the stack limit.
   */
  maxTokens: 2_000,
} as const;

/** The problem reported for a score over the size limit, or null when it fits. */
export function scoreSizeProblem(score: string): { path: string; message: string } | null {
  const bytes = Buffer.byteLength(score, "utf8");
  if (bytes <= LIMITS.maxScoreBytes) return null;
  return {
    path: "",
    message: `score is ${bytes} bytes; the limit is ${LIMITS.maxScoreBytes} bytes (1 MB)`,
  };
}
