import { describe, expect, it } from "vitest";
import {
  hostAllowed,
  isLoopbackHost,
  originAllowed,
  requestAllowed,
} from "../../../apps/server/src/graphql/security.ts";

const DASHBOARD = new Set(["http://127.0.0.1:3000"]);

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1:4000", true],
    ["localhost:4000", true],
    ["LOCALHOST", true],
    ["[::1]:4000", true],
    ["evil.test:4000", false],
    ["127.0.0.1.evil.test", false],
    ["", false],
    ["not a host", false],
  ])("%s -> %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe("the gate without a token", () => {
  it("lets non-browser clients in: no Origin, loopback or missing Host", () => {
    expect(requestAllowed(null, "127.0.0.1:4000", DASHBOARD, false)).toBe(true);
    expect(requestAllowed(undefined, undefined, DASHBOARD, false)).toBe(true);
  });

  it("lets the dashboard and GraphiQL (the server's own loopback origin) in", () => {
    expect(requestAllowed("http://127.0.0.1:3000", "127.0.0.1:4000", DASHBOARD, false)).toBe(true);
    expect(requestAllowed("http://localhost:4000", "localhost:4000", DASHBOARD, false)).toBe(true);
  });

  it("refuses a rebound name, with or without an Origin", () => {
    expect(requestAllowed("http://evil.test:4000", "evil.test:4000", DASHBOARD, false)).toBe(false);
    expect(requestAllowed(null, "evil.test:4000", DASHBOARD, false)).toBe(false);
  });

  it("refuses a foreign origin calling a loopback host, and a malformed Origin", () => {
    expect(requestAllowed("http://evil.example", "127.0.0.1:4000", DASHBOARD, false)).toBe(false);
    expect(originAllowed("::::", "127.0.0.1:4000", DASHBOARD)).toBe(false);
  });
});

describe("the gate with a token", () => {
  it("accepts any Host and the server's own origin, since the token is what admits", () => {
    expect(hostAllowed("podium.example:4000", true)).toBe(true);
    expect(
      requestAllowed("http://podium.example:4000", "podium.example:4000", DASHBOARD, true),
    ).toBe(true);
  });

  it("still refuses a foreign browser origin", () => {
    expect(requestAllowed("http://evil.example", "podium.example:4000", DASHBOARD, true)).toBe(
      false,
    );
  });
});
