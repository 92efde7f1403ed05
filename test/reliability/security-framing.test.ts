/**
 * No page of the server can be framed (clickjacking), every HTML response carries a CSP whose
 * script-src allows this origin and the page's own inline scripts by hash only, and GraphiQL sits
 * behind the same gates as the dashboard: the token (or a session) and the loopback Host check.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from "./support/browser.ts";
import { ensureDashboardBuilt, pageRoutes } from "./support/dashboard-build.ts";
import { rawRequest, type RawResponse } from "./support/raw-http.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

if (!chromiumAvailable) {
  console.warn(`security-framing: the framing attack NOT RUN, no Chromium at ${CHROMIUM_PATH}`);
}

const TOKEN = "framing-token-51d0";

let open: ServerProcess;
let guarded: ServerProcess;

beforeAll(async () => {
  ensureDashboardBuilt();
  [open, guarded] = await Promise.all([startServerProcess(), startServerProcess({ token: TOKEN })]);
});

afterAll(async () => {
  for (const server of [open, guarded]) {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  }
});

function originOf(server: ServerProcess): string {
  return new URL(server.url).origin;
}

function header(response: RawResponse, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}

function directive(policy: string, name: string): string[] {
  const found = policy
    .split(";")
    .map((part) => part.trim().split(/\s+/))
    .find(([directiveName]) => directiveName === name);
  return found ? found.slice(1) : [];
}

function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script\b(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)]
    .map((match) => match[1]!)
    .filter((body) => body !== "")
    .map((body) => `'sha256-${createHash("sha256").update(body).digest("base64")}'`);
}

function expectNoFraming(response: RawResponse, what: string): void {
  expect(header(response, "x-frame-options"), what).toBe("DENY");
  expect(directive(header(response, "content-security-policy"), "frame-ancestors"), what).toEqual([
    "'none'",
  ]);
}

describe("HTML responses", () => {
  it("forbid framing and allow only this origin's and their own hashed inline scripts", async () => {
    const routes = [...pageRoutes(), "/graphql", "/no-such-page"];
    for (const route of routes) {
      const response = await rawRequest(`${originOf(open)}${route}`, {
        headers: { accept: "text/html" },
      });
      expect(header(response, "content-type"), route).toMatch(/^text\/html/);
      expectNoFraming(response, route);
      const policy = header(response, "content-security-policy");
      const scriptSources = directive(policy, "script-src");
      expect(scriptSources[0], route).toBe("'self'");
      expect(scriptSources, route).not.toContain("'unsafe-inline'");
      expect(scriptSources, route).not.toContain("'unsafe-eval'");
      expect(scriptSources, route).toEqual(
        expect.arrayContaining(inlineScriptHashes(response.body)),
      );
      expect(directive(policy, "object-src"), route).toEqual(["'none'"]);
      expect(directive(policy, "base-uri"), route).toEqual(["'none'"]);
    }
  });

  it("and every other response forbids framing too", async () => {
    const json = await rawRequest(open.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(json.status).toBe(200);
    expectNoFraming(json, "a GraphQL answer");
    const denied = await rawRequest(guarded.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(denied.status).toBe(401);
    expectNoFraming(denied, "a refusal");
  });
});

describe("GraphiQL", () => {
  const asBrowser = { accept: "text/html" };

  it("asks a browser without token or session to sign in first", async () => {
    const response = await rawRequest(guarded.url, { headers: asBrowser });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/login?next=%2Fgraphql");
    expect(response.body).not.toContain("GraphiQL");
  });

  it("opens with the token or a session", async () => {
    const withToken = await rawRequest(guarded.url, {
      headers: { ...asBrowser, authorization: `Bearer ${TOKEN}` },
    });
    expect(withToken.status).toBe(200);
    expect(withToken.body).toContain("renderYogaGraphiQL");
    const login = await fetch(`${originOf(guarded)}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: TOKEN, next: "/graphql" }).toString(),
      redirect: "manual",
    });
    expect(login.headers.get("location")).toBe("/graphql");
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const withSession = await rawRequest(guarded.url, { headers: { ...asBrowser, cookie } });
    expect(withSession.status).toBe(200);
  });

  it("is refused under a Host that is not this machine's when no token guards it", async () => {
    for (const host of ["attacker.example", `rebound.example:${open.port}`]) {
      const response = await rawRequest(open.url, { headers: { ...asBrowser, host } });
      expect(response.status, host).toBe(403);
      expect(response.body).not.toContain("GraphiQL");
      const page = await rawRequest(`${originOf(open)}/`, { headers: { ...asBrowser, host } });
      expect(page.status, `dashboard under ${host}`).toBe(403);
    }
  });
});

describe.skipIf(!chromiumAvailable)("a page on another origin", () => {
  let attacker: Server;
  let attackerOrigin: string;

  beforeAll(async () => {
    attacker = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        `<!doctype html><iframe id="dashboard" src="${originOf(open)}/new"></iframe>` +
          `<iframe id="graphiql" src="${open.url}"></iframe>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerOrigin = `http://localhost:${(attacker.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  });

  it("cannot show the dashboard or GraphiQL inside a frame", async () => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      const refusals: string[] = [];
      page.on("console", (message) => {
        if (/frame-ancestors|X-Frame-Options/i.test(message.text())) refusals.push(message.text());
      });
      await page.goto(`${attackerOrigin}/`, { waitUntil: "load" });
      await page.waitForTimeout(500);
      const framed = page.frames().filter((frame) => frame !== page.mainFrame());
      expect(framed).toHaveLength(2);
      for (const frame of framed) {
        // A refused frame is left on Chromium's error page; none of Podium's content loads.
        expect(frame.url()).toMatch(/^chrome-error:/);
        expect(await frame.locator('.topbar, #root, [data-testid="score-editor"]').count()).toBe(0);
      }
      expect(refusals.length).toBeGreaterThanOrEqual(2);
    } finally {
      await chromium.close();
    }
  });
});
