/** The config file under the environment: precedence, relative paths, clear errors. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../apps/server/src/config/errors.ts";
import { readServerConfig } from "../../../apps/server/src/graphql/server-config.ts";

function folderWith(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "podium-config-"));
  writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("podium.config.yaml", () => {
  it("supplies settings the environment leaves unset, and the environment wins", () => {
    const dir = folderWith(
      "podium.config.yaml",
      [
        "port: 4100",
        "max_concurrent_sheets: 3",
        "drain_grace_seconds: 20",
        "allowed_roots: [scores, /srv/shared]",
        "pass_env: [HTTPS_PROXY, LANG]",
        "sqlite_synchronous: FULL",
        "log_format: json",
        "webhook_url: http://127.0.0.1:9999/hook",
        "process_name: worker-a",
        "instruments: [cli, claude-code]",
        "lease_seconds: 5",
        "notifications:",
        "  - type: webhook",
        "    config: { url: http://127.0.0.1:9999/n }",
      ].join("\n"),
    );
    const config = readServerConfig({ PODIUM_MAX_CONCURRENT_SHEETS: "7", PORT: "" }, dir);
    expect(config.configFile).toBe(path.join(dir, "podium.config.yaml"));
    expect(config.port).toBe(4100);
    expect(config.settings).toEqual({
      maxConcurrentSheets: 7,
      drainGraceSeconds: 20,
      allowedRoots: [path.join(dir, "scores"), "/srv/shared"],
      passEnv: ["HTTPS_PROXY", "LANG"],
      sqliteSynchronous: "FULL",
      logFormat: "json",
      logLevel: "info",
      webhookUrl: "http://127.0.0.1:9999/hook",
      processName: "worker-a",
      instruments: ["cli", "claude-code"],
      leaseSeconds: 5,
    });
    expect(config.notifications).toEqual([
      {
        type: "webhook",
        on_events: ["job_complete", "job_failed"],
        config: { url: "http://127.0.0.1:9999/n" },
      },
    ]);
  });

  it("uses the defaults with no file and no variables", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-config-"));
    const config = readServerConfig({}, dir);
    expect(config.configFile).toBeNull();
    expect(config.settings).toMatchObject({
      maxConcurrentSheets: 10,
      drainGraceSeconds: 300,
      sqliteSynchronous: "NORMAL",
      logFormat: null,
      webhookUrl: null,
      processName: hostname(),
      instruments: null,
      leaseSeconds: 15,
    });
  });

  it("reads the JSON file PODIUM_CONFIG names", () => {
    const dir = folderWith(
      "ops.json",
      JSON.stringify({ data_dir: "state", max_concurrent_sheets: 2 }),
    );
    const config = readServerConfig({ PODIUM_CONFIG: "ops.json" }, dir);
    expect(config.dataDir).toBe(path.join(dir, "state"));
    expect(config.settings.maxConcurrentSheets).toBe(2);
  });

  it("names the file, the key and the reason of a mistake", () => {
    const dir = folderWith(
      "podium.config.yaml",
      "max_concurrent_sheets: lots\nlog_format: loud\nport_number: 1\n",
    );
    expect(() => readServerConfig({}, dir)).toThrow(ConfigError);
    const message = (() => {
      try {
        readServerConfig({}, dir);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(
      `${path.join(dir, "podium.config.yaml")} is not a valid Podium configuration`,
    );
    expect(message).toMatch(/max_concurrent_sheets: .*number/);
    expect(message).toMatch(/log_format: .*"json"/);
    expect(message).toContain("port_number");
  });

  it("refuses a PODIUM_CONFIG that does not exist and bad variable values", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-config-"));
    expect(() => readServerConfig({ PODIUM_CONFIG: "missing.yaml" }, dir)).toThrow(
      /PODIUM_CONFIG names .*missing\.yaml, which does not exist/,
    );
    expect(() => readServerConfig({ PODIUM_MAX_CONCURRENT_SHEETS: "0" }, dir)).toThrow(
      /PODIUM_MAX_CONCURRENT_SHEETS must be an integer ≥ 1, got "0"/,
    );
    expect(() => readServerConfig({ PODIUM_SQLITE_SYNCHRONOUS: "sometimes" }, dir)).toThrow(
      /PODIUM_SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA/,
    );
    expect(() => readServerConfig({ PODIUM_WEBHOOK_URL: "ftp://x" }, dir)).toThrow(
      /PODIUM_WEBHOOK_URL must be an http\(s\) URL/,
    );
    expect(() => readServerConfig({ PODIUM_PROCESS_NAME: "two words" }, dir)).toThrow(
      /PODIUM_PROCESS_NAME must be 1 to 128 letters, digits or \. _ - : @, got "two words"/,
    );
    expect(() => readServerConfig({ PODIUM_PASS_ENV: "OK,not valid" }, dir)).toThrow(
      /PODIUM_PASS_ENV must list variable names, got "not valid"/,
    );
  });
});
