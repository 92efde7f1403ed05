/**
 * The WAL is checkpointed in the background (by a thread with its own connection, not on the
 * writer): commits reach the database file, the WAL is reused instead of growing with every
 * commit, and closing the database leaves no WAL behind.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type PodiumDatabase } from "../../../apps/server/src/store/database.ts";

let dir: string | null = null;
let db: PodiumDatabase | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const walSize = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const started = Date.now(); !done();) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("WAL checkpoint", () => {
  it("copies commits into the database file by itself, so the WAL is reused, not grown", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "podium-wal-"));
    db = await openDatabase(`file:${path.join(dir, "podium.db")}`);
    const file = db.filePath;
    const wal = `${file}-wal`;
    db.writer.exec("CREATE TABLE scratch (payload BLOB)");
    const insert = db.writer.prepare("INSERT INTO scratch (payload) VALUES (?)");
    const row = Buffer.alloc(4096, 7);
    const writeMiB = db.writer.transaction(() => {
      for (let i = 0; i < 256; i += 1) insert.run(row);
    });

    const before = statSync(file).size;
    writeMiB();
    const walAfterFirst = walSize(wal);
    expect(walAfterFirst).toBeGreaterThan(1024 * 1024);
    // Nothing on this thread checkpoints (the writer's automatic checkpoint is off), yet the
    // rows reach the database file.
    await until(() => statSync(file).size >= before + 1024 * 1024);
    // The WAL is reused only once the checkpoint is over: wait until every page is in the file
    // and the checkpointer has had a moment to mark it done, before writing again.
    const pageBytes = db.writer.pragma("page_size", { simple: true }) as number;
    const pages = db.writer.pragma("page_count", { simple: true }) as number;
    await until(() => statSync(file).size >= pages * pageBytes);
    await new Promise((resolve) => setTimeout(resolve, 200));
    writeMiB();
    expect(walSize(wal)).toBeLessThanOrEqual(walAfterFirst);

    await db.close();
    db = null;
    expect(walSize(wal)).toBe(0);
  });
});
