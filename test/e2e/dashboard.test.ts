/**
 * The dashboard in real Chromium against the real server: submit a score and watch it run, pause
 * and resume, see a broken score's problems at their lines, and live through a server restart.
 * The server serves the dashboard's static build on its own port (built here when missing).
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  CHROMIUM_PATH,
  eventually,
  launchBrowser,
  saveScreenshot,
  type Browser,
} from "./support/browser.ts";
import {
  confirmAction,
  connectionState,
  dagStatuses,
  eventLogCount,
  eventLogLastCursor,
  jobStatus,
  recordSubscriptions,
  replaceScore,
  waitForConnection,
  type SentSubscription,
  shownSeqs,
} from "./support/dashboard.ts";
import { BROKEN_LINE, BROKEN_SCORE, FERMATA_SCORE, slowScore } from "./support/scores.ts";
import { serverCursors, serverSeqs, submitByApi } from "./support/server-log.ts";
import {
  dashboardUrl,
  ensureDashboardBuilt,
  freePort,
  graphqlRequest,
  newServerPlace,
  startPodiumServer,
  type RunningProcess,
  type ServerPlace,
} from "./support/processes.ts";

const chromiumThere = existsSync(CHROMIUM_PATH);
if (!chromiumThere)
  console.warn(
    `dashboard e2e tests did not run: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
  );

describe.skipIf(!chromiumThere)("dashboard in Chromium", () => {
  let place: ServerPlace;
  let server: RunningProcess;
  let browser: Browser;
  let webUrl: string;
  let subscriptions: SentSubscription[];

  beforeAll(async () => {
    ensureDashboardBuilt();
    const serverPort = await freePort();
    webUrl = dashboardUrl(serverPort);
    place = newServerPlace(serverPort);
    server = await startPodiumServer(place);
    browser = await launchBrowser();
    subscriptions = recordSubscriptions(browser.page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the Jobs page shows the server reachable and a live connection", async () => {
    await browser.page.goto(`${webUrl}/`);
    await waitForConnection(browser.page, ["connected"]);
    await eventually(
      "server health reachable",
      async () =>
        (await browser.page.getAttribute('[data-testid="server-health"]', "data-reachable")) ===
        "true",
    );
    await expect(browser.page.locator('[data-testid="jobs-table"]').isVisible()).resolves.toBe(
      true,
    );
  });

  test("a job submitted elsewhere appears in the Jobs list and runs to completed without a reload", async () => {
    const { page } = browser;
    await page.goto(`${webUrl}/`);
    await waitForConnection(page, ["connected"]);
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const jobId = await submitByApi(place.port, slowScore("listed-live", 0.3));
    const row = `[data-testid="job-row"][data-job-id="${jobId}"]`;
    await page.waitForSelector(row, { timeout: 15_000 });
    await eventually(
      "row shows completed",
      async () => (await page.getAttribute(row, "data-status")) === "COMPLETED",
      60_000,
    );
    expect(await page.textContent(`${row} [data-testid="job-progress"]`)).toBe("4/4");
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(
      true,
    );

    await page.click('[data-testid="filter-RUNNING"]');
    await eventually(
      "completed job filtered out",
      async () => (await page.locator(row).count()) === 0,
    );
    await page.click('[data-testid="filter-COMPLETED"]');
    await page.waitForSelector(row);
    const statuses = await page.$$eval('[data-testid="job-row"]', (rows) =>
      rows.map((r) => r.getAttribute("data-status")),
    );
    expect(statuses.every((status) => status === "COMPLETED")).toBe(true);
    await page.click('[data-testid="filter-ALL"]');
  });

  test("a score with errors shows its problems at their lines and cannot be submitted", async () => {
    const { page } = browser;
    await page.goto(`${webUrl}/new`);
    await page.waitForSelector('[data-testid="score-editor"]');
    await replaceScore(page, BROKEN_SCORE);
    await eventually(
      "validation reports the broken score",
      async () =>
        (await page.getAttribute('[data-testid="validation-state"]', "data-state")) === "invalid",
    );

    const problems = await page.$$eval('[data-testid="problem"]', (items) =>
      items.map((item) => ({ line: item.getAttribute("data-line"), text: item.textContent ?? "" })),
    );
    const unknownKey = problems.find((problem) => problem.text.includes("not_a_score_key"));
    expect(unknownKey, JSON.stringify(problems)).toBeDefined();
    expect(unknownKey?.line).toBe(String(BROKEN_LINE));

    // The editor marks the same line: line 3's text carries an error range and a gutter marker.
    await eventually("lint mark on the problem's line", async () =>
      page.$$eval(
        ".cm-content .cm-line",
        (lines, lineNumber) =>
          lines[lineNumber - 1]?.querySelector(".cm-lintRange-error") !== null &&
          lines[lineNumber - 1]?.querySelector(".cm-lintRange-error") !== undefined,
        BROKEN_LINE,
      ),
    );
    const markedText = await page.$$eval(".cm-lintRange-error", (ranges) =>
      ranges.map((range) => range.textContent),
    );
    expect(markedText.some((text) => text?.includes("not_a_score_key"))).toBe(true);
    await saveScreenshot(page, "new-job-with-errors");

    await page.click('[data-testid="submit-job"]');
    await page.waitForSelector('[data-testid="submit-error"]');
    expect(new URL(page.url()).pathname).toBe("/new");
  });

  test("an example submitted from New job runs to completed while the DAG and log update live", async () => {
    const { page } = browser;
    await page.goto(`${webUrl}/new`);
    await page.waitForSelector('[data-testid="score-editor"]');
    const examples = await page.$$eval('[data-testid="example-select"] option', (options) =>
      options.map((option) => option.getAttribute("value")),
    );
    expect(examples.length).toBeGreaterThan(0);
    await eventually(
      "the example validates",
      async () =>
        (await page.getAttribute('[data-testid="validation-state"]', "data-state")) === "valid",
    );
    await saveScreenshot(page, "new-job");

    await page.click('[data-testid="submit-job"]');
    await page.waitForURL(/\/job\?id=[^&]+$/);
    const jobId = new URL(page.url()).searchParams.get("id")!;
    await page.waitForSelector('[data-testid="dag-node"]');
    // A marker on the window: it survives client-side updates and is gone after any reload.
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    const seenNodeStatuses = new Set<string>();
    const seenCounts = new Set<number>();
    await eventually(
      "job completed",
      async () => {
        for (const status of Object.values(await dagStatuses(page))) seenNodeStatuses.add(status);
        seenCounts.add(await eventLogCount(page));
        return (await jobStatus(page)) === "COMPLETED";
      },
      90_000,
    );
    await eventually("every DAG node completed", async () =>
      Object.values(await dagStatuses(page)).every((status) => status === "COMPLETED"),
    );
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(
      true,
    );
    // The page saw the run in progress, not only its end.
    expect(
      [...seenNodeStatuses].some((status) => status !== "COMPLETED"),
      [...seenNodeStatuses].join(),
    ).toBe(true);
    expect(seenCounts.size).toBeGreaterThan(1);

    const expected = await serverSeqs(place.port, jobId);
    await eventually(
      "log holds every event",
      async () => (await eventLogCount(page)) === expected.length,
    );
    expect(await shownSeqs(browser)).toEqual(expected);
    expect(await page.locator('[data-testid="timeline-bar"]').count()).toBeGreaterThan(0);
    await page
      .locator('[data-testid="event-log"]')
      .evaluate((element) => (element.scrollTop = element.scrollHeight));
    await saveScreenshot(page, "job");

    await page.click('[data-testid="dag-node"][data-sheet="1"]');
    await page.waitForURL(/\/sheet\?job=[^&]+&num=1$/);
    await page.waitForSelector('[data-testid="sheet-header"]');
    expect(await page.getAttribute('[data-testid="sheet-header"]', "data-status")).toBe(
      "COMPLETED",
    );
    expect(await page.locator('[data-testid="attempt-row"]').count()).toBeGreaterThan(0);
    expect((await page.textContent('[data-testid="sheet-instrument"]'))?.trim()).toContain("cli");
    await saveScreenshot(page, "sheet");

    await page.click('a[href="/"]');
    await page.waitForSelector(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    expect(
      await page.getAttribute(`[data-testid="job-row"][data-job-id="${jobId}"]`, "data-status"),
    ).toBe("COMPLETED");
    await saveScreenshot(page, "jobs");
  });

  test("pause and resume from the job page", async () => {
    const { page } = browser;
    await page.goto(`${webUrl}/new`);
    await page.waitForSelector('[data-testid="score-editor"]');
    await replaceScore(page, slowScore("pause-and-resume", 1.5));
    await eventually(
      "the score validates",
      async () =>
        (await page.getAttribute('[data-testid="validation-state"]', "data-state")) === "valid",
    );
    await page.click('[data-testid="submit-job"]');
    await page.waitForURL(/\/job\?id=[^&]+$/);
    await eventually("job running", async () => (await jobStatus(page)) === "RUNNING");

    await confirmAction(page, "action-pause");
    await eventually("job paused", async () => (await jobStatus(page)) === "PAUSED", 30_000);
    await eventually(
      "job.paused in the log",
      async () =>
        (await page.locator('[data-testid="event-row"][data-event="job.paused"]').count()) > 0,
    );
    const whilePaused = await dagStatuses(page);
    expect(Object.values(whilePaused).some((status) => status !== "COMPLETED")).toBe(true);
    await saveScreenshot(page, "job-paused");

    await confirmAction(page, "action-resume");
    await eventually(
      "job.resumed in the log",
      async () =>
        (await page.locator('[data-testid="event-row"][data-event="job.resumed"]').count()) > 0,
    );
    await eventually(
      "job completed after resume",
      async () => (await jobStatus(page)) === "COMPLETED",
      60_000,
    );
    expect(Object.values(await dagStatuses(page)).every((status) => status === "COMPLETED")).toBe(
      true,
    );
  });

  test("a sheet held at a fermata is resolved from the job page", async () => {
    const { page } = browser;
    await page.goto(`${webUrl}/new`);
    await page.waitForSelector('[data-testid="score-editor"]');
    await replaceScore(page, FERMATA_SCORE);
    await eventually(
      "the score validates",
      async () =>
        (await page.getAttribute('[data-testid="validation-state"]', "data-state")) === "valid",
    );
    await page.check('[data-testid="option-escalation"]');
    await page.click('[data-testid="submit-job"]');
    await page.waitForURL(/\/job\?id=[^&]+$/);

    await page.waitForSelector('[data-testid="fermata"][data-sheet="1"]', { timeout: 30_000 });
    expect((await dagStatuses(page))[1]).toBe("FERMATA");
    await saveScreenshot(page, "job-fermata");
    await confirmAction(page, "fermata-1-skip");
    await eventually(
      "sheet 1 skipped",
      async () => (await dagStatuses(page))[1] === "SKIPPED",
      30_000,
    );
    expect(await page.locator('[data-testid="fermata"]').count()).toBe(0);
    await eventually(
      "sheet.fermata_resolved in the log",
      async () =>
        (await page
          .locator('[data-testid="event-row"][data-event="sheet.fermata_resolved"]')
          .count()) > 0,
    );
    await eventually(
      "sheet 2 ran after the decision",
      async () => (await dagStatuses(page))[2] === "COMPLETED",
      30_000,
    );
  });

  test("the dashboard survives a server restart and catches up without duplicates", async () => {
    const { page } = browser;
    const jobId = await submitByApi(place.port, slowScore("restart", 1.5));
    await page.goto(`${webUrl}/job?id=${encodeURIComponent(jobId)}`);
    await waitForConnection(page, ["connected"]);
    await eventually(
      "a sheet completed",
      async () => Object.values(await dagStatuses(page)).includes("COMPLETED"),
      30_000,
    );
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    await server.stop();
    await waitForConnection(page, ["reconnecting", "offline", "polling"]);
    // An action while the server is away fails visibly, and changes nothing.
    await confirmAction(page, "action-cancel");
    await page.waitForSelector('[data-testid="action-cancel-error"]');
    const cursorBeforeRestart = await eventLogLastCursor(page);
    const countBeforeRestart = await eventLogCount(page);
    expect(cursorBeforeRestart).not.toBe("");
    await saveScreenshot(page, "job-server-down");

    const restartedAt = Date.now();
    server = await startPodiumServer(place);
    await waitForConnection(page, ["connected"], 30_000);
    // The event log subscribed again from the last event it held.
    await eventually("sheetEvents resubscribed after the restart", async () =>
      subscriptions.some(
        (sent) =>
          sent.at >= restartedAt &&
          sent.operationName === "SheetEvents" &&
          sent.variables.jobId === jobId,
      ),
    );
    const resubscribe = subscriptions.find(
      (sent) =>
        sent.at >= restartedAt &&
        sent.operationName === "SheetEvents" &&
        sent.variables.jobId === jobId,
    );
    // From the newest event it held then: the one it had before the stop, or a later one that
    // polling over HTTP fetched while the socket was still reconnecting.
    const cursors = await serverCursors(place.port, jobId);
    const resumedFrom = cursors.indexOf(String(resubscribe?.variables.after));
    expect(resumedFrom, `after=${String(resubscribe?.variables.after)}`).toBeGreaterThanOrEqual(
      cursors.indexOf(cursorBeforeRestart),
    );
    expect(cursors.indexOf(cursorBeforeRestart)).toBeGreaterThanOrEqual(0);

    await eventually(
      "job completed after the restart",
      async () => (await jobStatus(page)) === "COMPLETED",
      90_000,
    );
    const expected = await serverSeqs(place.port, jobId);
    await eventually("log caught up", async () => (await eventLogCount(page)) === expected.length);
    expect(await shownSeqs(browser)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(countBeforeRestart);
    const recovered = await graphqlRequest<{
      job: { events: { edges: { node: { event: string } }[] } };
    }>(
      place.port,
      `query($id: ID!) { job(id: $id) { events(first: 500) { edges { node { event } } } } }`,
      { id: jobId },
    );
    expect(recovered.job.events.edges.map((edge) => edge.node.event)).toContain("job.recovered");
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(
      true,
    );
    expect(await connectionState(page)).toBe("connected");
    await saveScreenshot(page, "job-after-restart");
  });

  test("no unexpected console errors", () => {
    // Connection failures while the server was down are expected; anything else is a bug.
    const unexpected = browser.consoleErrors.filter(
      (text) =>
        !/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|favicon|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/.test(
          text,
        ),
    );
    expect(unexpected, unexpected.join("\n")).toEqual([]);
  });
});
