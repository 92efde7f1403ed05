/** Where the dashboard finds the server, and how it sends the token. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PODIUM_URL,
  authorizationHeader,
  readPodiumEndpoint,
  toWebSocketUrl,
} from "../../../apps/web/lib/config.ts";

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

describe("readPodiumEndpoint", () => {
  it("falls back to the local default without a token", () => {
    expect(readPodiumEndpoint({})).toEqual({
      httpUrl: DEFAULT_PODIUM_URL,
      wsUrl: toWebSocketUrl(DEFAULT_PODIUM_URL),
      token: null,
    });
  });

  it("prefers PODIUM_URL over NEXT_PUBLIC_PODIUM_URL and treats empty values as unset", () => {
    const both = readPodiumEndpoint({
      PODIUM_URL: "https://a.example/graphql",
      NEXT_PUBLIC_PODIUM_URL: "https://b.example/graphql",
      PODIUM_TOKEN: "secret",
    });
    expect(both).toEqual({
      httpUrl: "https://a.example/graphql",
      wsUrl: "wss://a.example/graphql",
      token: "secret",
    });
    const publicOnly = readPodiumEndpoint({
      PODIUM_URL: "",
      NEXT_PUBLIC_PODIUM_URL: "http://b.example:9/graphql",
      PODIUM_TOKEN: "",
    });
    expect(publicOnly.httpUrl).toBe("http://b.example:9/graphql");
    expect(publicOnly.token).toBeNull();
  });
});

describe("authorizationHeader", () => {
  it("sends a bearer token only when there is one", () => {
    expect(authorizationHeader("abc")).toEqual({ authorization: "Bearer abc" });
    expect(authorizationHeader(null)).toEqual({});
  });
});
