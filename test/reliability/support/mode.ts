/**
 * The reliability suite runs in two sizes: `full` (npm run test:reliability) holds the load the
 * design promises; `short` (npm test, PODIUM_RELIABILITY=short) scales the numbers down to fit CI
 * but keeps every assertion. Anything else (a plain `vitest run`) counts as short.
 */
export type ReliabilityMode = "full" | "short";

export const MODE: ReliabilityMode = process.env.PODIUM_RELIABILITY === "full" ? "full" : "short";

/** Picks the figure for the current mode. */
export function scaled<T>(figures: { full: T; short: T }): T {
  return figures[MODE];
}
