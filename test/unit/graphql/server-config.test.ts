import path from "node:path";
import { describe, expect, it } from "vitest";
import { readServerConfig } from "../../../apps/server/src/graphql/server-config.ts";

describe("readServerConfig", () => {
  it("defaults to loopback:4000, ./data and the dashboard on port 3000", () => {
    expect(readServerConfig({}, "/srv/podium")).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      databaseUrl: "file:/srv/podium/data/podium.db",
      dataDir: "/srv/podium/data",
      token: null,
      webOrigins: ["http://127.0.0.1:3000", "http://localhost:3000"],
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
    });
    expect(readServerConfig({ WEB_PORT: "3100" }).webOrigins).toEqual([
      "http://127.0.0.1:3100",
      "http://localhost:3100",
    ]);
  });

  it("names the variable of a bad value", () => {
    expect(() => readServerConfig({ PORT: "70000" })).toThrow(
      'PORT must be a port number (0–65535), got "70000"',
    );
    expect(() => readServerConfig({ WEB_PORT: "x" })).toThrow(/^WEB_PORT/);
    expect(() => readServerConfig({ PODIUM_WEB_ORIGIN: "ftp://files" })).toThrow(
      /PODIUM_WEB_ORIGIN .*"ftp:\/\/files"/,
    );
  });
});
