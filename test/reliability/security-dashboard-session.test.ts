/**
 * The dashboard never hands out PODIUM_TOKEN. With a token set, no page, asset or answer of the
 * server contains it, whatever Host is asked for and whether or not the browser is signed in.
 * Browsers sign in by posting the token once and get an HttpOnly, SameSite=Strict session cookie;
 * without it (or the bearer token) nothing runs, and the cookie does not let another site act.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { counterScore } from "./support/scores.ts";
import { post, query, SUBMIT, type Endpoint } from "./support/client.ts";
import { buildFiles, ensureDashboardBuilt, pageRoutes } from "./support/dashboard-build.ts";
import { webBuildDir } from "./support/paths.ts";
import { rawRequest } from "./support/raw-http.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

const TOKEN = "dashboard-token-7c41e9a0";
const SCORE = counterScore({ name: "session-probe", sheets: 1 });

let server: ServerProcess;
let origin: string;
let scripts: Endpoint;

beforeAll(async () => {
  ensureDashboardBuilt();
  server = await startServerProcess({ token: TOKEN });
  origin = new URL(server.url).origin;
  scripts = { url: server.url, wsUrl: server.wsUrl, token: TOKEN };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

async function jobCount(): Promise<number> {
  const data = await query<{ jobs: { edges: unknown[] } }>(
    scripts,
    "{ jobs(first: 500) { edges { cursor } } }",
  );
  return data.jobs.edges.length;
}

/** Signs in as the login form does; returns the Set-Cookie header and where it sent the browser. */
async function signIn(token: string): Promise<{ setCookie: string | null; location: string }> {
  const response = await fetch(`${origin}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams({ token, next: "/new" }).toString(),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return {
    setCookie: response.headers.get("set-cookie"),
    location: response.headers.get("location") ?? "",
  };
}

async function sessionCookie(): Promise<string> {
  const { setCookie } = await signIn(TOKEN);
  return setCookie!.split(";")[0]!;
}

function submitWithCookie(cookie: string, headers: Record<string, string> = {}) {
  return post(
    { url: server.url, wsUrl: server.wsUrl },
    SUBMIT,
    { input: { score: SCORE } },
    { cookie, ...headers },
  );
}

/** Opens a graphql-ws socket with these upgrade headers and reports how it ended. */
function socketOutcome(headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws", { headers });
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === "connection_ack") {
        socket.close();
        resolve("acknowledged");
      }
    });
    socket.on("unexpected-response", (_request, response) =>
      resolve(`http ${response.statusCode}`),
    );
    socket.on("close", (code) => resolve(`closed ${code}`));
    socket.on("error", (error) => resolve(`error ${error.message}`));
  });
}

describe("with PODIUM_TOKEN set, the dashboard", () => {
  it("has no page, asset or answer that contains the token", async () => {
    const cookie = await sessionCookie();
    const routes = [...pageRoutes(), "/login?next=%2F", "/graphql", "/auth/session", "/nowhere"];
    expect(routes).toEqual(expect.arrayContaining(["/", "/new", "/job", "/sheet", "/login"]));
    const served = new Set<number>();
    for (const host of [new URL(origin).host, `localhost:${server.port}`, "podium.example"]) {
      for (const headers of [{}, { cookie }] as Record<string, string>[]) {
        for (const route of routes) {
          const response = await rawRequest(`${origin}${route}`, {
            headers: { host, accept: "text/html", ...headers },
          });
          served.add(response.status);
          expect(response.body, `${route} with Host ${host}`).not.toContain(TOKEN);
          expect(JSON.stringify(response.headers)).not.toContain(TOKEN);
        }
      }
    }
    // Pages were served (200), redirected to sign in (303) and not found (404): all were looked at.
    expect([...served].sort()).toEqual([200, 303, 404]);
    // The build itself holds no token: it is made before any server runs, for any server.
    for (const file of buildFiles()) {
      expect(readFileSync(path.join(webBuildDir, file), "utf8"), file).not.toContain(TOKEN);
    }
  });

  it("sends a browser without a session to the login page, and serves the login page", async () => {
    for (const route of ["/", "/new", "/job?id=x", "/graphql"]) {
      const response = await fetch(`${origin}${route}`, {
        headers: { accept: "text/html" },
        redirect: "manual",
      });
      expect(response.status, route).toBe(303);
      expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent(route)}`);
    }
    const login = await fetch(`${origin}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('action="/auth/login"');
  });

  it("refuses a job submitted with neither cookie nor token", async () => {
    const before = await jobCount();
    const response = await post({ url: server.url, wsUrl: server.wsUrl }, SUBMIT, {
      input: { score: SCORE },
    });
    expect(response.status, response.text).toBe(401);
    expect(await jobCount()).toBe(before);
    expect(await socketOutcome({ origin })).toBe("closed 4403");
  });

  it("gives no session for a wrong token", async () => {
    const wrong = await signIn("not-the-token");
    expect(wrong.setCookie).toBeNull();
    expect(wrong.location).toBe("/login?error=wrong&next=%2Fnew");
  });

  it("signs in with the token: an HttpOnly SameSite=Strict cookie that then runs jobs", async () => {
    const { setCookie, location } = await signIn(TOKEN);
    expect(location).toBe("/new");
    expect(setCookie).toMatch(/^podium_session=[\w-]{40,};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie!.split(";")[0]!;

    const before = await jobCount();
    const submitted = await submitWithCookie(cookie, { origin });
    expect(submitted.status, submitted.text).toBe(200);
    expect(submitted.body?.data).toHaveProperty("submitJob.__typename", "SubmitJobSuccess");
    expect(await jobCount()).toBe(before + 1);
    expect(await socketOutcome({ cookie, origin })).toBe("acknowledged");
    const page = await fetch(`${origin}/new`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const state = await fetch(`${origin}/auth/session`, { headers: { cookie } });
    expect(await state.json()).toEqual({ required: true, signedIn: true });
  });

  it("refuses cross-site requests that carry the cookie", async () => {
    const cookie = await sessionCookie();
    const before = await jobCount();
    // Another site's page: its Origin is refused before anything is read.
    const foreign = await submitWithCookie(cookie, { origin: "http://attacker.example" });
    expect(foreign.status, foreign.text).toBe(403);
    // A form post or a "simple" fetch (no preflight): Yoga's CSRF prevention refuses it.
    const simple = await fetch(server.url, {
      method: "POST",
      headers: { cookie, "content-type": "text/plain" },
      body: JSON.stringify({ query: SUBMIT, variables: { input: { score: SCORE } } }),
    });
    expect(simple.status).toBeGreaterThanOrEqual(400);
    const getMutation = await fetch(
      `${server.url}?query=${encodeURIComponent("{ jobs { edges { cursor } } }")}`,
      { headers: { cookie } },
    );
    expect(getMutation.status).toBe(403);
    // A WebSocket opened by another site's page.
    expect(await socketOutcome({ cookie, origin: "http://attacker.example" })).toBe("http 403");
    // Signing out from another site is refused too.
    const logout = await fetch(`${origin}/auth/logout`, {
      method: "POST",
      headers: { cookie, origin: "http://attacker.example" },
      redirect: "manual",
    });
    expect(logout.status).toBe(403);
    expect(await jobCount()).toBe(before);
  });

  it("ends the session on sign-out, closing its live WebSocket", async () => {
    const cookie = await sessionCookie();
    const live = new WebSocket(server.wsUrl, "graphql-transport-ws", {
      headers: { cookie, origin },
    });
    const acknowledged = new Promise<void>((resolve) => {
      live.on("open", () => live.send(JSON.stringify({ type: "connection_init" })));
      live.on("message", () => resolve());
    });
    const closed = new Promise<number>((resolve) => live.on("close", (code) => resolve(code)));
    await acknowledged;
    const logout = await fetch(`${origin}/auth/logout`, {
      method: "POST",
      headers: { cookie, origin },
      redirect: "manual",
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get("location")).toBe("/login");
    expect(logout.headers.get("set-cookie")).toMatch(/^podium_session=; Max-Age=0/);
    expect(await closed).toBe(4403);
    const after = await submitWithCookie(cookie, { origin });
    expect(after.status).toBe(401);
    expect(await socketOutcome({ cookie, origin })).toBe("closed 4403");
  });

  it("keeps the bearer token working for scripts", async () => {
    const data = await query<{ health: { ok: boolean } }>(scripts, "{ health { ok } }");
    expect(data.health.ok).toBe(true);
  });

  it("refuses a login form too big to be one before reading it all", async () => {
    const response = await fetch(`${origin}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${"x".repeat(100_000)}`,
    });
    expect(response.status).toBe(413);
  });

  // Last: it locks this address out of the login form for a minute.
  it("stops token guessing through the login form, while scripts keep working", async () => {
    const attempt = (token: string) =>
      fetch(`${origin}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
        redirect: "manual",
      });
    const statuses: number[] = [];
    for (let guess = 0; guess < 12; guess += 1)
      statuses.push((await attempt(`guess-${guess}`)).status);
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(303));
    expect(statuses.slice(-2)).toEqual([429, 429]);
    const right = await attempt(TOKEN);
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    const data = await query<{ health: { ok: boolean } }>(scripts, "{ health { ok } }");
    expect(data.health.ok).toBe(true);
  });
});
