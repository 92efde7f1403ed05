import path from "node:path";
import { describe, expect, it } from "vitest";
import { readServerConfig } from "../../../apps/server/src/graphql/server-config.ts";

describe("readServerConfig", () => {
  it("defaults to loopback:4000, ./data, and no origins besides its own", () => {
    expect(readServerConfig({}, "/srv/podium")).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      databaseUrl: "file:/srv/podium/data/podium.db",
      dataDir: "/srv/podium/data",
      token: null,
      webOrigins: [],
      webDir: null,
      settings: { sqliteSynchronous: "NORMAL", drainGraceSeconds: 300, allowedRoots: [] },
    });
  });

  it("reads every variable", () => {
    const config = readServerConfig(
      {
        PORT: "0",
        HOST: "0.0.0.0",
        DATABASE_URL: "file:/tmp/x.db",
        PODIUM_DATA_DIR: "state",
        PODIUM_TOKEN: " t0k ",
        PODIUM_WEB_ORIGIN: "https://dash.example:8443/, http://127.0.0.1:5000",
        PODIUM_SQLITE_SYNCHRONOUS: "full",
        PODIUM_WEB_DIR: "site",
        PODIUM_DRAIN_GRACE_SECONDS: "12.5",
        PODIUM_ALLOWED_ROOTS: "prompts: /opt/shared:",
      },
      "/srv",
    );
    expect(config).toMatchObject({
      port: 0,
      host: "0.0.0.0",
      databaseUrl: "file:/tmp/x.db",
      dataDir: path.resolve("/srv", "state"),
      token: "t0k",
      webOrigins: ["https://dash.example:8443", "http://127.0.0.1:5000"],
      webDir: path.resolve("/srv", "site"),
      settings: {
        sqliteSynchronous: "FULL",
        drainGraceSeconds: 12.5,
        allowedRoots: ["/srv/prompts", "/opt/shared"],
      },
    });
  });

  it("names the variable of a bad value", () => {
    expect(() => readServerConfig({ PORT: "70000" })).toThrow(
      'PORT must be a port number (0–65535), got "70000"',
    );
    expect(() => readServerConfig({ PODIUM_WEB_ORIGIN: "ftp://files" })).toThrow(
      /PODIUM_WEB_ORIGIN .*"ftp:\/\/files"/,
    );
    expect(() => readServerConfig({ PODIUM_SQLITE_SYNCHRONOUS: "sometimes" })).toThrow(
      'PODIUM_SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA, got "sometimes"',
    );
    expect(() => readServerConfig({ PODIUM_DRAIN_GRACE_SECONDS: "-1" })).toThrow(
      /^PODIUM_DRAIN_GRACE_SECONDS/,
    );
    expect(() => readServerConfig({ DATABASE_URL: "mysql://podium:secret@db/podium" })).toThrow(
      /DATABASE_URL must be a SQLite file.* or a PostgreSQL URL.*"mysql:\/\/\*\*\*@db\/podium"/,
    );
    expect(
      readServerConfig({ DATABASE_URL: "postgresql://podium:secret@db/podium" }),
    ).toMatchObject({ databaseUrl: "postgresql://podium:secret@db/podium" });
    expect(() => readServerConfig({ DATABASE_URL: "mongodb+srv://x" })).toThrow(/DATABASE_URL/);
  });
});
