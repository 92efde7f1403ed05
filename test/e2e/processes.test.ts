/**
 * The Processes panel and a job's owner in real Chromium. A real server process is a cluster of
 * one: it shows itself alive with the capacity it was started with, its running sheets live, and
 * names itself the owner of the job it plays. A cluster with a dead member (a stand-in of the
 * ClusterView port around the real one) shows that member dead with its lease age.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPodium } from "../../apps/server/src/app.ts";
import type { ClusterView } from "../../apps/server/src/contracts/cluster.ts";
import { createGatewayServices } from "../../apps/server/src/graphql/services.ts";
import { startServer, type RunningServer } from "../../apps/server/src/server.ts";
import {
  CHROMIUM_PATH,
  eventually,
  launchBrowser,
  saveScreenshot,
  type Browser,
} from "./support/browser.ts";
import { jobStatus, waitForConnection } from "./support/dashboard.ts";
import {
  dashboardUrl,
  ensureDashboardBuilt,
  freePort,
  newServerPlace,
  startPodiumServer,
  type RunningProcess,
  type ServerPlace,
} from "./support/processes.ts";
import { submitByApi } from "./support/server-log.ts";

const chromiumThere = existsSync(CHROMIUM_PATH);
if (!chromiumThere)
  console.warn(`processes e2e tests did not run: no Chromium at ${CHROMIUM_PATH}`);

const SELF_ROW = '[data-testid="process-row"][data-self="true"]';

/** One sheet that plays until `gate` exists. */
function gatedScore(gate: string): string {
  return `name: held-open
instrument: cli
sheet:
  size: 1
  total_items: 1
prompt:
  template: |
    while [ ! -e '${gate}' ]; do sleep 0.05; done
    echo released
`;
}

describe.skipIf(!chromiumThere)("processes panel in Chromium", () => {
  let place: ServerPlace;
  let server: RunningProcess;
  let browser: Browser;
  let webUrl: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const port = await freePort();
    webUrl = dashboardUrl(port);
    place = newServerPlace(port);
    server = await startPodiumServer(place, {
      PODIUM_PROCESS_NAME: "e2e-conductor",
      PODIUM_MAX_CONCURRENT_SHEETS: "4",
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the jobs page shows the server alone and alive; the job page names it the owner", async () => {
    const { page } = browser;
    await page.goto(`${webUrl}/`);
    await waitForConnection(page, ["connected"]);
    await page.waitForSelector(SELF_ROW, { timeout: 20_000 });
    expect(await page.locator('[data-testid="process-row"]').count()).toBe(1);
    expect(await page.getAttribute(SELF_ROW, "data-process")).toBe("e2e-conductor");
    expect(await page.getAttribute(SELF_ROW, "data-alive")).toBe("true");
    expect(await page.textContent(`${SELF_ROW} [data-testid="process-state"]`)).toBe("alive");
    expect(await page.textContent(`${SELF_ROW} [data-testid="process-self"]`)).toContain(
      "this process",
    );
    expect(await page.textContent(`${SELF_ROW} [data-testid="process-load"]`)).toBe("0/4");

    const gate = path.join(place.dataDir, "release");
    const jobId = await submitByApi(place.port, gatedScore(gate));
    await eventually(
      "the panel shows the sheet playing and the job owned, without a reload",
      async () =>
        (await page.textContent(`${SELF_ROW} [data-testid="process-load"]`)) === "1/4" &&
        (await page.textContent(`${SELF_ROW} [data-testid="process-owned"]`)) === "1",
      20_000,
    );
    await saveScreenshot(page, "processes-panel");

    await page.goto(`${webUrl}/job?id=${encodeURIComponent(jobId)}`);
    await eventually(
      "the job page names its owner",
      async () => (await page.textContent('[data-testid="job-owner"]')) === "e2e-conductor",
      20_000,
    );
    expect(await jobStatus(page)).toBe("RUNNING");
    writeFileSync(gate, "");
    await eventually("the job completed", async () => (await jobStatus(page)) === "COMPLETED");
    await eventually(
      "an ended job has no owner",
      async () => (await page.textContent('[data-testid="job-owner"]')) === "none",
      20_000,
    );
    expect(browser.consoleErrors).toEqual([]);
  });
});

describe.skipIf(!chromiumThere)("a cluster with a dead member in Chromium", () => {
  let dataDir: string;
  let podium: Awaited<ReturnType<typeof createPodium>>;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    dataDir = mkdtempSync(path.join(tmpdir(), "podium-e2e-cluster-"));
    podium = await createPodium({
      databaseUrl: `file:${path.join(dataDir, "podium.db")}`,
      dataDir,
      cluster: { processName: "alpha" },
    });
    const local = podium.cluster;
    const lostAt = Date.now() - 125_000;
    const withDeadPeer: ClusterView = {
      self: local.self,
      processes: async () => [
        ...(await local.processes()),
        {
          name: "beta",
          host: "beta.example",
          pid: 4242,
          capacity: 6,
          instruments: ["codex"],
          runningSheets: 0,
          ownedJobs: 0,
          startedAt: lostAt - 3_600_000,
          heartbeatAt: lostAt,
          alive: false,
        },
      ],
      ownersOf: (jobIds) => local.ownersOf(jobIds),
    };
    server = await startServer({
      services: createGatewayServices({
        conductor: podium.conductor,
        prisma: podium.db.prisma,
        bus: podium.bus,
        listInstruments: () => podium.listInstruments(),
        cluster: withDeadPeer,
      }),
      port: 0,
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await podium?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("the dead member is marked dead with the age of its lease", async () => {
    const { page } = browser;
    await page.goto(server.url.replace(/\/graphql$/, "/"));
    const dead = '[data-testid="process-row"][data-process="beta"]';
    await page.waitForSelector(dead, { timeout: 20_000 });
    expect(await page.getAttribute(dead, "data-alive")).toBe("false");
    expect(await page.getAttribute(dead, "data-self")).toBe("false");
    expect(await page.textContent(`${dead} [data-testid="process-state"]`)).toBe("dead");
    expect(await page.textContent(`${dead} [data-testid="process-lease-age"]`)).toMatch(
      /^2m \d\ds$/,
    );
    expect(await page.locator(`${dead} [data-testid="process-self"]`).count()).toBe(0);
    expect(await page.textContent(dead)).toContain("codex");
    expect(await page.getAttribute(SELF_ROW, "data-process")).toBe("alpha");
    expect(await page.textContent('[data-testid="processes-summary"]')).toBe("1 of 2 alive");
    await saveScreenshot(page, "processes-panel-dead-member");
  });
});
