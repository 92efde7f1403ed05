/** Browser sessions: random ids that expire, end on sign-out, and travel only in a strict cookie. */
import { describe, expect, it } from "vitest";
import {
  clearedSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
  sessionIdFromCookies,
  SessionStore,
} from "../../../apps/server/src/http/sessions.ts";

describe("SessionStore", () => {
  it("accepts the ids it made until they expire", () => {
    let now = 1_000;
    const store = new SessionStore(60_000, () => now);
    const id = store.create();
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(store.valid(id)).toBe(true);
    now += 59_999;
    expect(store.valid(id)).toBe(true);
    now += 1;
    expect(store.valid(id)).toBe(false);
    expect(store.size).toBe(0);
  });

  it("refuses ids it did not make, and ids that were ended", () => {
    const store = new SessionStore();
    const id = store.create();
    expect(store.valid(`${id}x`)).toBe(false);
    expect(store.valid("")).toBe(false);
    expect(store.valid(null)).toBe(false);
    store.end(id);
    expect(store.valid(id)).toBe(false);
  });

  it("makes a different id every time", () => {
    const store = new SessionStore();
    const ids = new Set(Array.from({ length: 200 }, () => store.create()));
    expect(ids.size).toBe(200);
  });

  it("drops expired sessions when it makes a new one", () => {
    let now = 0;
    const store = new SessionStore(10, () => now);
    for (let index = 0; index < 5; index += 1) store.create();
    now = 10;
    store.create();
    expect(store.size).toBe(1);
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Strict, for the whole site, and lives as long as the session", () => {
    expect(sessionCookie("abc", 3_600_000, false)).toBe(
      `${SESSION_COOKIE}=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict`,
    );
    expect(sessionCookie("abc", 1_000, true)).toContain("; Secure");
    expect(clearedSessionCookie(false)).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0;`));
  });

  it("is found among the other cookies of a request", () => {
    expect(sessionIdFromCookies(`a=1; ${SESSION_COOKIE}=xyz; b=2`)).toBe("xyz");
    expect(sessionIdFromCookies("a=1")).toBeNull();
    expect(sessionIdFromCookies(undefined)).toBeNull();
  });
});
