/** Where the dashboard finds the server (its own origin), and where it sends a signed-out browser. */
import { describe, expect, it } from "vitest";
import {
  loginHref,
  safeReturnPath,
  sameOriginEndpoint,
  toWebSocketUrl,
} from "../../../apps/web/lib/config.ts";
import { jobHref, sheetHref } from "../../../apps/web/lib/routes.ts";

describe("toWebSocketUrl", () => {
  it("keeps host, port and path and swaps the scheme", () => {
    expect(toWebSocketUrl("http://127.0.0.1:4000/graphql")).toBe("ws://127.0.0.1:4000/graphql");
    expect(toWebSocketUrl("https://podium.example/api/graphql?x=1")).toBe(
      "wss://podium.example/api/graphql?x=1",
    );
  });

  it("rejects text that is not a URL", () => {
    expect(() => toWebSocketUrl("not a url")).toThrow();
  });
});

describe("sameOriginEndpoint", () => {
  it("talks to /graphql on the page's own origin over HTTP and WebSocket", () => {
    expect(sameOriginEndpoint({ href: "http://127.0.0.1:4000/job?id=x" })).toEqual({
      httpUrl: "/graphql",
      wsUrl: "ws://127.0.0.1:4000/graphql",
    });
    expect(sameOriginEndpoint({ href: "https://podium.example/new" }).wsUrl).toBe(
      "wss://podium.example/graphql",
    );
  });
});

describe("signing in", () => {
  it("returns to the page it came from", () => {
    expect(loginHref({ pathname: "/job", search: "?id=a b" })).toBe(
      "/login?next=%2Fjob%3Fid%3Da%20b",
    );
  });

  it("returns only to paths on this site", () => {
    expect(safeReturnPath("/sheet?job=1&num=2")).toBe("/sheet?job=1&num=2");
    for (const foreign of ["https://evil.example/", "//evil.example/", "/\\evil.example", "", null])
      expect(safeReturnPath(foreign)).toBe("/");
  });
});

describe("page links", () => {
  it("carry the job id and sheet number in the query string, encoded", () => {
    expect(jobHref("job/1?x")).toBe("/job?id=job%2F1%3Fx");
    expect(sheetHref("j&1", 3)).toBe("/sheet?job=j%261&num=3");
  });
});
