/**
 * The server serves a dashboard build from its own port: pages by path with their CSP, hashed
 * assets cached for good, the not-found page, redirects from the old path-style job links, and a
 * clear answer when nothing is built. Extra routes (one line each) answer before the dashboard.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendText } from "../../../apps/server/src/http/routes.ts";
import { startGatewayHarness, type GatewayHarness } from "./harness.ts";

const BOOT = "self.__boot=1";
const site = mkdtempSync(path.join(tmpdir(), "podium-site-"));
const files: Record<string, string> = {
  "index.html": `<!doctype html><title>Jobs</title><script src="/_next/static/chunks/a.js"></script><script>${BOOT}</script>`,
  "new.html": "<!doctype html><title>New job</title>",
  "404.html": "<!doctype html><title>Not here</title>",
  "job.txt": "rsc payload",
  "_next/static/chunks/a.js": "console.log(1)",
};

let harness: GatewayHarness;
let empty: GatewayHarness;
let origin: string;

beforeAll(async () => {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(site, file)), { recursive: true });
    writeFileSync(path.join(site, file), text);
  }
  harness = await startGatewayHarness({
    webDir: site,
    routes: [{ path: "/extra", handle: (_req, res) => sendText(res, 200, "extra route") }],
  });
  empty = await startGatewayHarness({ webDir: path.join(site, "missing") });
  origin = new URL(harness.server.url).origin;
});

afterAll(async () => {
  await harness?.close();
  await empty?.close();
  rmSync(site, { recursive: true, force: true });
});

describe("the dashboard site", () => {
  it("serves pages with a CSP that lists their inline scripts, revalidated by ETag", async () => {
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const hash = createHash("sha256").update(BOOT).digest("base64");
    expect(page.headers.get("content-security-policy")).toContain(
      `script-src 'self' 'sha256-${hash}';`,
    );
    expect(await page.text()).toBe(files["index.html"]);
    const again = await fetch(`${origin}/`, {
      headers: { "if-none-match": page.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
    for (const route of ["/new", "/new/"]) {
      expect(await (await fetch(`${origin}${route}`)).text(), route).toContain("New job");
    }
  });

  it("caches hashed assets for good and other files not at all", async () => {
    const asset = await fetch(`${origin}/_next/static/chunks/a.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("x-frame-options")).toBe("DENY");
    const payload = await fetch(`${origin}/job.txt`);
    expect(payload.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers unknown paths with the not-found page, and other methods with 405", async () => {
    const missing = await fetch(`${origin}/nothing/here`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Not here");
    const traversal = await fetch(`${origin}/..%2f..%2fetc%2fpasswd`);
    expect(traversal.status).toBe(404);
    const posted = await fetch(`${origin}/`, { method: "POST", body: "x" });
    expect(posted.status).toBe(405);
  });

  it("sends the old path-style job and sheet links to their pages", async () => {
    for (const [from, to] of [
      ["/jobs/job%201", "/job?id=job%201"],
      ["/jobs/j1/sheets/3", "/sheet?job=j1&num=3"],
    ]) {
      const response = await fetch(`${origin}${from}`, { redirect: "manual" });
      expect(response.status, from).toBe(303);
      expect(response.headers.get("location")).toBe(to);
    }
  });

  it("answers extra routes before the dashboard, and GraphQL beside it", async () => {
    expect(await (await fetch(`${origin}/extra`)).text()).toBe("extra route");
    const graphql = await harness.request<{ __typename: string }>("{ __typename }");
    expect(graphql.body.data).toEqual({ __typename: "Query" });
  });

  it("says how to build the dashboard when there is no build, and GraphQL still answers", async () => {
    const response = await fetch(new URL("/", empty.server.url));
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/dashboard is not built.*npm run setup/);
    expect((await empty.request("{ __typename }")).status).toBe(200);
  });
});
