/**
 * The dashboard when things are not ideal: the WebSocket cannot connect (pages fall back to
 * polling over HTTP and still follow a job to its end), and the server asks for a token (the
 * browser signs in once and holds only an HttpOnly session cookie, sent over HTTP and WebSocket).
 */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import {
  CHROMIUM_PATH,
  eventually,
  launchBrowser,
  saveScreenshot,
  type Browser,
} from "./support/browser.ts";
import {
  connectionState,
  dagStatuses,
  eventLogCount,
  jobStatus,
  waitForConnection,
} from "./support/dashboard.ts";
import {
  dashboardUrl,
  ensureDashboardBuilt,
  freePort,
  graphqlUrl,
  newServerPlace,
  startPodiumServer,
  type RunningProcess,
} from "./support/processes.ts";

const chromiumThere = existsSync(CHROMIUM_PATH);
if (!chromiumThere)
  console.warn(`degraded-mode e2e tests did not run: no Chromium at ${CHROMIUM_PATH}`);

const SCORE = `name: polled
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 3
prompt:
  template: |
    echo "sheet {{ sheet_num }}"
    sleep 0.5
`;

async function request<T>(
  port: number,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const response = await fetch(graphqlUrl(port), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function submit(port: number, token?: string): Promise<string> {
  const data = await request<{ submitJob: { job?: { id: string } } }>(
    port,
    `mutation($score: String!) { submitJob(input: { score: $score }) { ... on SubmitJobSuccess { job { id } } } }`,
    { score: SCORE },
    token,
  );
  if (!data.submitJob.job) throw new Error("score refused");
  return data.submitJob.job.id;
}

async function countEvents(port: number, jobId: string, token?: string): Promise<number> {
  const data = await request<{ events: { edges: unknown[] } }>(
    port,
    `query($jobId: ID) { events(jobId: $jobId, first: 500) { edges { cursor } } }`,
    { jobId },
    token,
  );
  return data.events.edges.length;
}

describe.skipIf(!chromiumThere)("dashboard in degraded conditions", () => {
  const running: RunningProcess[] = [];
  let browser: Browser | undefined;

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    for (const process of running.splice(0).reverse()) await process.stop();
  });

  async function startBoth(token?: string): Promise<{ serverPort: number; webUrl: string }> {
    ensureDashboardBuilt();
    const serverPort = await freePort();
    const place = newServerPlace(serverPort);
    running.push(await startPodiumServer(place, token ? { PODIUM_TOKEN: token } : {}));
    return { serverPort, webUrl: dashboardUrl(serverPort) };
  }

  test("without a WebSocket the job page polls and still follows the job to completed", async () => {
    const { serverPort, webUrl } = await startBoth();
    browser = await launchBrowser();
    // Every WebSocket the page opens is closed at once, as a proxy that drops them would.
    await browser.context.routeWebSocket(/.*/, (socket) =>
      socket.close({ code: 1011, reason: "blocked for the test" }),
    );
    const { page } = browser;

    const jobId = await submit(serverPort);
    await page.goto(`${webUrl}/job?id=${encodeURIComponent(jobId)}`);
    await waitForConnection(page, ["polling"], 30_000);
    await eventually(
      "job completed through polling",
      async () => (await jobStatus(page)) === "COMPLETED",
      60_000,
    );
    expect(Object.values(await dagStatuses(page)).every((status) => status === "COMPLETED")).toBe(
      true,
    );
    const expected = await countEvents(serverPort, jobId);
    await eventually(
      "log complete through polling",
      async () => (await eventLogCount(page)) === expected,
    );
    expect(await connectionState(page)).toBe("polling");
    await saveScreenshot(page, "job-polling");
  });

  test("with PODIUM_TOKEN set the browser signs in once, then works over HTTP and WebSocket", async () => {
    const token = "e2e-secret-token";
    const { serverPort, webUrl } = await startBoth(token);
    browser = await launchBrowser();
    const { page } = browser;

    await page.goto(`${webUrl}/new`);
    await page.waitForURL(/\/login\?next=%2Fnew$/);
    await page.fill('[data-testid="login-token"]', "not-the-token");
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="login-error"]');
    await page.fill('[data-testid="login-token"]', token);
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL(`${webUrl}/new`);
    expect(await page.content()).not.toContain(token);
    const cookies = await browser.context.cookies(webUrl);
    expect(cookies.map(({ name, httpOnly, sameSite }) => ({ name, httpOnly, sameSite }))).toEqual([
      { name: "podium_session", httpOnly: true, sameSite: "Strict" },
    ]);
    expect(await page.evaluate(() => document.cookie)).toBe("");

    await page.goto(`${webUrl}/`);
    await waitForConnection(page, ["connected"], 30_000);
    await eventually(
      "health reachable with the token",
      async () =>
        (await page.getAttribute('[data-testid="server-health"]', "data-reachable")) === "true",
    );
    const jobId = await submit(serverPort, token);
    await page.waitForSelector(`[data-testid="job-row"][data-job-id="${jobId}"]`, {
      timeout: 15_000,
    });
    await page.goto(`${webUrl}/job?id=${encodeURIComponent(jobId)}`);
    await eventually("job completed", async () => (await jobStatus(page)) === "COMPLETED", 60_000);
    expect(await connectionState(page)).toBe("connected");

    // Signing out ends the session and its live socket: the tab lands on the login page.
    await page.click('[data-testid="logout"]');
    await page.waitForURL(/\/login(\?next=.*)?$/);
    await page.goto(`${webUrl}/`);
    await page.waitForURL(/\/login\?next=%2F$/);
  });
});
