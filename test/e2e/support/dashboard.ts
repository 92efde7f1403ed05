/**
 * What the e2e tests read from and do in the dashboard, by the data-testid hooks the pages expose.
 */
import type { Page, WebSocket as PageWebSocket } from "playwright-core";
import { eventually, type Browser } from "./browser.ts";

export async function connectionState(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid="connection-state"]', "data-state");
}

export async function waitForConnection(
  page: Page,
  states: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    `connection state in ${states.join("/")}`,
    async () => states.includes((await connectionState(page)) ?? ""),
    timeoutMs,
  );
}

export async function jobStatus(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid="job-header"]', "data-status").catch(() => null);
}

export async function dagStatuses(page: Page): Promise<Record<number, string>> {
  return page.$$eval('[data-testid="dag-node"]', (nodes) =>
    Object.fromEntries(
      nodes.map((node) => [
        Number(node.getAttribute("data-sheet")),
        node.getAttribute("data-status") ?? "",
      ]),
    ),
  );
}

export async function eventLogCount(page: Page): Promise<number> {
  return Number((await page.getAttribute('[data-testid="event-log"]', "data-count")) ?? "0");
}

export async function eventLogLastCursor(page: Page): Promise<string> {
  return (await page.getAttribute('[data-testid="event-log"]', "data-last-cursor")) ?? "";
}

/** Replaces the editor's text the way a person pasting would. */
export async function replaceScore(page: Page, text: string): Promise<void> {
  await page.click('[data-testid="score-editor"]');
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

/** Clicks an action, then its confirmation. */
export async function confirmAction(page: Page, testId: string): Promise<void> {
  await page.click(`[data-testid="${testId}-button"]`);
  await page.click(`[data-testid="${testId}-confirm"]`);
}

export interface SentSubscription {
  at: number;
  operationName: string | null;
  variables: Record<string, unknown>;
}

/** Records every graphql-ws `subscribe` message the page sends, with when it was sent. */
export function recordSubscriptions(page: Page): SentSubscription[] {
  const sent: SentSubscription[] = [];
  page.on("websocket", (socket: PageWebSocket) => {
    socket.on("framesent", (frame) => {
      const text =
        typeof frame.payload === "string" ? frame.payload : frame.payload.toString("utf8");
      try {
        const message = JSON.parse(text) as {
          type?: string;
          payload?: { operationName?: string; variables?: Record<string, unknown>; query?: string };
        };
        if (message.type !== "subscribe") return;
        const operationName =
          message.payload?.operationName ??
          /subscription\s+(\w+)/.exec(message.payload?.query ?? "")?.[1] ??
          null;
        sent.push({ at: Date.now(), operationName, variables: message.payload?.variables ?? {} });
      } catch {
        // not a graphql-ws message
      }
    });
  });
  return sent;
}

/** The seqs the page shows, read by scrolling the virtualised log from top to bottom. */
export async function shownSeqs(browser: Browser): Promise<number[]> {
  const log = browser.page.locator('[data-testid="event-log"]');
  const seen = new Map<number, number>();
  await log.evaluate((element) => (element.scrollTop = 0));
  for (;;) {
    const rows = await browser.page.$$eval('[data-testid="event-row"]', (nodes) =>
      nodes.map((node) => Number(node.getAttribute("data-seq"))),
    );
    for (const seq of rows) seen.set(seq, (seen.get(seq) ?? 0) + 1);
    const atBottom = await log.evaluate((element) => {
      const before = element.scrollTop;
      element.scrollTop += element.clientHeight / 2;
      return element.scrollTop === before;
    });
    await browser.page.waitForTimeout(30);
    if (atBottom) break;
  }
  return [...seen.keys()].sort((a, b) => a - b);
}
