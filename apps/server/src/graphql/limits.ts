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
  /** Highest estimated cost of one operation (see cost-limit.ts for how cost is counted). */
  maxQueryCost: 20_000,
  /** Largest number of aliases/fields in one selection set tree, a guard against wide queries. */
  maxTokens: 5_000,
} as const;
