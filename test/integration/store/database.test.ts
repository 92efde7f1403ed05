import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  openDatabase,
  SQLITE_SYNCHRONOUS_LEVELS,
  type OpenDatabaseOptions,
  type PodiumDatabase,
} from "../../../apps/server/src/store/database.ts";
import { listMigrations } from "../../../apps/server/src/store/migrate.ts";

describe("openDatabase", () => {
  const opened: PodiumDatabase[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, options?: OpenDatabaseOptions): Promise<PodiumDatabase> {
    const db = await openDatabase(`file:${file}`, options);
    opened.push(db);
    return db;
  }

  it("creates, migrates and switches a new file to WAL", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-db-"));
    dirs.push(dir);
    const db = await open(path.join(dir, "nested", "podium.db"));
    expect(db.migrations.applied).toEqual(listMigrations().map((m) => m.name));
    expect(db.writer.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(await db.prisma.job.count()).toBe(0);
  });

  it("applies nothing twice and keeps stored rows across reopen", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-db-"));
    dirs.push(dir);
    const file = path.join(dir, "podium.db");
    const first = await open(file);
    await first.prisma.event.create({ data: { jobId: "j1", name: "job.submitted" } });
    await first.close();
    opened.pop();
    const second = await open(file);
    expect(second.migrations.applied).toEqual([]);
    expect(second.migrations.alreadyApplied.length).toBeGreaterThan(0);
    expect(await second.prisma.event.count()).toBe(1);
  });

  it("commits with the synchronous level asked for, NORMAL by default", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-db-"));
    dirs.push(dir);
    const byDefault = await open(path.join(dir, "default.db"));
    // SQLite reports the level as a number: OFF 0, NORMAL 1, FULL 2, EXTRA 3.
    expect(byDefault.writer.pragma("synchronous", { simple: true })).toBe(1);
    for (const [index, synchronous] of SQLITE_SYNCHRONOUS_LEVELS.entries()) {
      const db = await open(path.join(dir, `${synchronous}.db`), { synchronous });
      expect(db.writer.pragma("synchronous", { simple: true })).toBe(index);
    }
  });

  it("rejects a URL that names no file", async () => {
    await expect(openDatabase("file:")).rejects.toThrow(/must name a file/);
  });
});
