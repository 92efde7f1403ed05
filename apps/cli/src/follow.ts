/**
 * Follows a job's event stream to its end. The stream is resumable by cursor, so a dropped
 * connection (server restart, network blip) is bridged by subscribing again after the last
 * event received: nothing is missed and nothing is shown twice.
 */
import { ConnectionError, RequestError, subscriptionClient, type Endpoint } from "./client.ts";
import { SHEET_EVENTS_SUBSCRIPTION, type SheetEvent } from "./operations.ts";

export interface FollowOptions {
  jobId: string | null;
  /** Resume after this cursor; from the job's first event when null. */
  after: string | null;
  /** Return true to stop following. */
  onEvent(event: SheetEvent): boolean | Promise<boolean>;
  /** Told each time the connection drops, before waiting to reconnect. */
  onDisconnect?(reason: string): void;
  onReconnect?(): void;
  /** Give up after failing to reconnect for this long (default 10 minutes). */
  giveUpAfterMs?: number;
}

const SUBSCRIBER_TOO_SLOW = "SUBSCRIBER_TOO_SLOW";
const MAX_BACKOFF_MS = 5_000;

interface FormattedError {
  message: string;
  extensions?: { code?: string };
}

function describeDrop(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === "object" && "code" in error) {
    const close = error as { code: number; reason?: string };
    return `connection closed (${close.code}${close.reason ? ` ${close.reason}` : ""})`;
  }
  return String(error);
}

function refusal(error: unknown): Error | null {
  if (Array.isArray(error)) {
    const first = error[0] as FormattedError | undefined;
    return new RequestError(
      first?.message ?? "subscription refused",
      first?.extensions?.code ?? null,
    );
  }
  if (error && typeof error === "object" && "code" in error) {
    const code = (error as { code: number }).code;
    if (code === 4403)
      return new RequestError("the server refused the token (4403 Forbidden)", "FORBIDDEN");
    if (code === 4400) return new RequestError("the server refused the subscription (4400)", null);
  }
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the last cursor once `onEvent` asks to stop; rejects on a refusal or giving up. */
export async function followEvents(
  endpoint: Endpoint,
  options: FollowOptions,
): Promise<string | null> {
  let cursor = options.after;
  let lastSeq = -1;
  let failingSince: number | null = null;
  let attempt = 0;
  const giveUpAfterMs = options.giveUpAfterMs ?? 600_000;
  for (;;) {
    const client = subscriptionClient(endpoint, () => {
      if (failingSince !== null) options.onReconnect?.();
      failingSince = null;
      attempt = 0;
    });
    let reason = "the server ended the stream";
    try {
      const stream = client.iterate<{ sheetEvents: SheetEvent }>({
        query: SHEET_EVENTS_SUBSCRIPTION,
        variables: { jobId: options.jobId, after: cursor },
      });
      for await (const result of stream) {
        const first = result.errors?.[0] as FormattedError | undefined;
        if (first) {
          if (first.extensions?.code === SUBSCRIBER_TOO_SLOW) {
            reason = "fell behind the stream";
            break;
          }
          throw new RequestError(first.message, first.extensions?.code ?? null);
        }
        const event = result.data?.sheetEvents;
        if (!event) continue;
        if (event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        cursor = event.cursor;
        if (await options.onEvent(event)) return cursor;
      }
    } catch (error) {
      if (error instanceof RequestError) throw error;
      const refused = refusal(error);
      if (refused) throw refused;
      reason = describeDrop(error);
    } finally {
      void client.dispose();
    }
    failingSince ??= Date.now();
    if (Date.now() - failingSince > giveUpAfterMs) {
      throw new ConnectionError(
        `lost the event stream of ${endpoint.url} and could not reconnect (${reason})`,
      );
    }
    options.onDisconnect?.(reason);
    await sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt));
    attempt += 1;
  }
}
