/**
 * Sending one notification: a JSON POST (webhook, Slack incoming webhook) retried a bounded
 * number of times with exponential backoff on network errors, 429 and 5xx; or a desktop
 * notification through `notify-send` where the machine has one.
 */
import { spawn } from "node:child_process";

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  timeoutMs: 10_000,
};

export type Delivery =
  { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<Delivery> {
  let error = "";
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "podium", ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(policy.timeoutMs),
        redirect: "error",
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true, attempts: attempt };
      error = `answered ${response.status}`;
      if (!retryable(response.status)) return { ok: false, attempts: attempt, error };
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (attempt < policy.attempts)
      await sleep(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
  }
  return { ok: false, attempts: policy.attempts, error };
}

/** `notify-send title body`; resolves false when the command is missing or fails. */
export function notifyDesktop(title: string, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("notify-send", ["--app-name=Podium", title, body], { stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
}
