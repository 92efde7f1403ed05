/**
 * The live output pane in real Chromium: a sheet whose instrument prints progress for longer
 * than its idle limit shows that progress on the job page while it runs, and on its sheet page.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM_PATH, eventually, launchBrowser, type Browser } from "./support/browser.ts";
import { jobStatus, waitForConnection } from "./support/dashboard.ts";
import { submitByApi } from "./support/server-log.ts";
import {
  dashboardUrl,
  ensureDashboardBuilt,
  freePort,
  newServerPlace,
  startPodiumServer,
  type RunningProcess,
  type ServerPlace,
} from "./support/processes.ts";

const chromiumThere = existsSync(CHROMIUM_PATH);
if (!chromiumThere)
  console.warn(`live output e2e tests did not run: no Chromium at ${CHROMIUM_PATH}`);

/** Prints a step every 0.6 s for about 5 s, with an idle limit of 2 s. */
const TALKING_SCORE = `name: talking
instrument: cli
stale_detection: {enabled: true, idle_timeout_seconds: 2, check_interval_seconds: 1}
sheet:
  size: 1
  total_items: 1
prompt:
  template: |
    for i in 1 2 3 4 5 6 7 8; do echo "step $i of 8: still working"; sleep 0.6; done
    echo "all steps finished"
`;

const paneText = (browser: Browser) =>
  browser.page.textContent('[data-testid="live-output-text"]').catch(() => null);

describe.skipIf(!chromiumThere)("live output pane in Chromium", () => {
  let place: ServerPlace;
  let server: RunningProcess;
  let browser: Browser;
  let webUrl: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const port = await freePort();
    webUrl = dashboardUrl(port);
    place = newServerPlace(port);
    server = await startPodiumServer(place);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the job page shows the streamed text while the sheet runs; the sheet page shows it too", async () => {
    const jobId = await submitByApi(place.port, TALKING_SCORE);
    await browser.page.goto(`${webUrl}/job?id=${encodeURIComponent(jobId)}`);
    await waitForConnection(browser.page, ["connected"]);
    await eventually(
      "early progress in the pane while the job runs",
      async () => /\[1\] step [1-4] of 8/.test((await paneText(browser)) ?? ""),
      20_000,
    );
    expect(await jobStatus(browser.page)).toBe("RUNNING");
    await eventually(
      "the job completed",
      async () => (await jobStatus(browser.page)) === "COMPLETED",
      30_000,
    );
    // The job's status and its event log reach the page on separate subscriptions, so the last
    // output may land a moment after the status reads COMPLETED.
    await eventually(
      "the last output line in the pane",
      async () => ((await paneText(browser)) ?? "").includes("[1] all steps finished"),
      10_000,
    );
    expect(await paneText(browser)).toContain("[1] step 8 of 8: still working");

    await browser.page.goto(`${webUrl}/sheet?job=${encodeURIComponent(jobId)}&num=1`);
    await eventually(
      "the sheet page's pane",
      async () => ((await paneText(browser)) ?? "").includes("step 5 of 8: still working"),
      20_000,
    );
    const sheetText = (await paneText(browser)) ?? "";
    expect(sheetText).not.toContain("[1]");
    expect(sheetText.indexOf("step 1 of 8")).toBeLessThan(sheetText.indexOf("all steps finished"));
  });
});
