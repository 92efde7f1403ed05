/**
 * What the dashboard says about its link to the server: the socket's own state after closes, and
 * the one word shown to people once the HTTP health check is taken into account.
 */
import { describe, expect, it } from "vitest";
import {
  ATTEMPTS_BEFORE_OFFLINE,
  displayedConnection,
  stateWhileDisconnected,
  type WsState,
} from "../../../apps/web/lib/connection.ts";

describe("stateWhileDisconnected", () => {
  it("says connecting until the socket has connected once", () => {
    for (let failures = 0; failures < ATTEMPTS_BEFORE_OFFLINE; failures += 1)
      expect(stateWhileDisconnected(failures, false)).toBe("connecting");
  });

  it("says reconnecting after a drop while retries are still few", () => {
    for (let failures = 1; failures < ATTEMPTS_BEFORE_OFFLINE; failures += 1)
      expect(stateWhileDisconnected(failures, true)).toBe("reconnecting");
  });

  it("gives up to offline after enough failures in a row, connected before or not", () => {
    expect(ATTEMPTS_BEFORE_OFFLINE).toBeGreaterThan(1);
    for (const everConnected of [true, false]) {
      expect(stateWhileDisconnected(ATTEMPTS_BEFORE_OFFLINE, everConnected)).toBe("offline");
      expect(stateWhileDisconnected(ATTEMPTS_BEFORE_OFFLINE + 10, everConnected)).toBe("offline");
      expect(stateWhileDisconnected(ATTEMPTS_BEFORE_OFFLINE - 1, everConnected)).not.toBe(
        "offline",
      );
    }
  });
});

describe("displayedConnection", () => {
  const table: Array<[WsState, boolean | null, ReturnType<typeof displayedConnection>]> = [
    // Live over the socket, whatever the HTTP check last said.
    ["connected", true, "connected"],
    ["connected", false, "connected"],
    ["connected", null, "connected"],
    // Socket given up but HTTP answers (or is not known yet): pages poll.
    ["offline", true, "polling"],
    ["offline", null, "polling"],
    // Nothing answers at all.
    ["offline", false, "offline"],
    ["connecting", false, "offline"],
    // Still trying to get the socket back.
    ["reconnecting", true, "reconnecting"],
    ["reconnecting", null, "reconnecting"],
    ["reconnecting", false, "reconnecting"],
    // First connection under way.
    ["connecting", true, "connecting"],
    ["connecting", null, "connecting"],
  ];

  it.each(table)("socket %s, http reachable %s -> %s", (ws, reachable, shown) => {
    expect(displayedConnection(ws, reachable)).toBe(shown);
  });

  it("treats an unknown socket state as still connecting, not as live", () => {
    expect(displayedConnection("", true)).toBe("connecting");
    expect(displayedConnection("something-else", null)).toBe("connecting");
  });
});
