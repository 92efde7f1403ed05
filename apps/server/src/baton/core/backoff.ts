/**
 * Retry delays (DESIGN.md §5): min(base * exp^(n-1), max), with optional jitter. The jitter is a
 * pure function of a seed and the dispatch token, so the same inputs always give the same delay.
 */
import type { RetryPolicy } from "./policy.ts";

export function backoffDelayMs(
  retry: RetryPolicy,
  attempt: number,
  jitterSource: number | null,
): number {
  const n = Math.max(1, attempt);
  const raw = retry.baseDelaySeconds * Math.pow(retry.exponentialBase, n - 1);
  let seconds = Math.min(raw, retry.maxDelaySeconds);
  if (retry.jitter && jitterSource !== null) {
    // ±25 %, never past the ceiling.
    seconds = Math.min(seconds * (0.75 + 0.5 * jitterSource), retry.maxDelaySeconds);
  }
  return Math.round(seconds * 1000);
}

/** A number in [0, 1) from a seed and a string (FNV-1a then a mulberry32 step). */
export function seededUnit(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
