/**
 * With PODIUM_TOKEN set, every dashboard page embedded the token (the Next server rendered it into
 * the page so that the browser could send it), whatever Host was asked for: anyone who could load
 * a page could read it and run bash scores as the server's user. The dashboard is now a static
 * build served by the server itself; browsers sign in for a session cookie instead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuilt } from "../reliability/support/dashboard-build.ts";
import { rawRequest } from "../reliability/support/raw-http.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const TOKEN = "embedded-token-9e2b";

describe("dashboard pages with PODIUM_TOKEN set", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    ensureDashboardBuilt();
    server = await startServerProcess({ token: TOKEN });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("never contain the token, signed in or not, under any Host", async () => {
    const origin = new URL(server.url).origin;
    const login = await fetch(`${origin}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: TOKEN }).toString(),
      redirect: "manual",
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    for (const host of [`127.0.0.1:${server.port}`, "attacker.test"]) {
      for (const signedIn of [false, true]) {
        for (const route of ["/", "/new", "/job?id=x", "/login"]) {
          const response = await rawRequest(`${origin}${route}`, {
            headers: { host, ...(signedIn ? { cookie } : {}) },
          });
          expect(response.status, route).toBe(signedIn || route === "/login" ? 200 : 303);
          expect(response.body, `${route} under ${host}`).not.toContain(TOKEN);
        }
      }
    }
  });
});
