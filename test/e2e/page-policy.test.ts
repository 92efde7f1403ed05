/**
 * Every page of the server in real Chromium under the Content-Security-Policy it is sent with:
 * the dashboard's pages, the login page and GraphiQL render and work, and the browser reports
 * no CSP violation and no console error. Links between dashboard pages stay client-side.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM_PATH, launchBrowser, type Browser } from "./support/browser.ts";
import { waitForConnection } from "./support/dashboard.ts";
import { submitByApi } from "./support/server-log.ts";
import { slowScore } from "./support/scores.ts";
import {
  dashboardUrl,
  ensureDashboardBuilt,
  freePort,
  newServerPlace,
  startPodiumServer,
  type RunningProcess,
} from "./support/processes.ts";

const chromiumThere = existsSync(CHROMIUM_PATH);
if (!chromiumThere)
  console.warn(`page policy e2e tests did not run: no Chromium at ${CHROMIUM_PATH}`);

describe.skipIf(!chromiumThere)("pages under their CSP in Chromium", () => {
  let server: RunningProcess;
  let browser: Browser;
  let origin: string;
  let port: number;
  const violations: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    port = await freePort();
    origin = dashboardUrl(port);
    server = await startPodiumServer(newServerPlace(port));
    browser = await launchBrowser();
    // Reported by the page itself, so nothing depends on how the console words a violation.
    await browser.context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    browser.page.on("console", (message) => {
      if (/Content Security Policy|CSP violation/i.test(message.text()))
        violations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("every dashboard page renders with its scripts allowed", async () => {
    const { page } = browser;
    const jobId = await submitByApi(port, slowScore("policy", 0.1));
    for (const [route, ready] of [
      ["/", '[data-testid="jobs-table"]'],
      ["/new", '[data-testid="score-editor"]'],
      [`/job?id=${encodeURIComponent(jobId)}`, '[data-testid="dag-node"]'],
      [`/sheet?job=${encodeURIComponent(jobId)}&num=1`, '[data-testid="sheet-header"]'],
      ["/preview/event-log?count=50", '[data-testid="preview-render"]'],
      ["/login", '[data-testid="login-token"]'],
    ] as const) {
      const response = await page.goto(`${origin}${route}`);
      expect(response?.headers()["content-security-policy"], route).toContain("script-src 'self'");
      await page.waitForSelector(ready, { timeout: 20_000 });
    }
    expect(violations).toEqual([]);
  });

  test("links between pages navigate in the page, and old job links still land", async () => {
    const { page } = browser;
    const jobId = await submitByApi(port, slowScore("links", 0.1));
    await page.goto(`${origin}/`);
    await waitForConnection(page, ["connected"]);
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    await page.click(`[data-testid="job-row"][data-job-id="${jobId}"] a`);
    await page.waitForURL(`${origin}/job?id=${encodeURIComponent(jobId)}`);
    await page.waitForSelector('[data-testid="dag-node"]');
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(
      true,
    );

    await page.goto(`${origin}/jobs/${encodeURIComponent(jobId)}/sheets/1`);
    await page.waitForURL(`${origin}/sheet?job=${encodeURIComponent(jobId)}&num=1`);
    await page.waitForSelector('[data-testid="sheet-header"]');
  });

  test("GraphiQL loads its editor and introspects the schema", async () => {
    const { page } = browser;
    const introspected = page.waitForResponse(
      (candidate) =>
        candidate.url() === `${origin}/graphql` &&
        candidate.request().method() === "POST" &&
        (candidate.request().postData() ?? "").includes("__schema"),
      { timeout: 30_000 },
    );
    const response = await page.goto(`${origin}/graphql`);
    expect(response?.headers()["x-frame-options"]).toBe("DENY");
    expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await page.waitForSelector(".graphiql-container", { timeout: 30_000 });
    // GraphiQL's own fetcher, from inside the page under its CSP.
    expect((await introspected).status()).toBe(200);
    await page.waitForTimeout(500);
    expect(violations).toEqual([]);
  });

  test("no console errors on any page", () => {
    const unexpected = browser.consoleErrors.filter((text) => !/favicon/.test(text));
    expect(unexpected, unexpected.join("\n")).toEqual([]);
  });
});
