/**
 * One server per database. Beside the database sits a small SQLite file on which the running
 * server holds an exclusive lock for as long as it lives. SQLite takes it with an OS-level
 * (fcntl) lock, which the kernel drops when the process ends, however it ends (SIGKILL too), so
 * a stale lock file never blocks a restart. Taken before the database is opened: a second server
 * touches nothing (no orphan reaping, no re-dispatch) and stops with a message.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export class DatabaseInUseError extends Error {
  constructor(
    readonly databaseFile: string,
    readonly lockFile: string,
  ) {
    super(
      `another Podium server is already using the database ${databaseFile} ` +
        `(it holds the lock on ${lockFile}); stop that server first, or give this one ` +
        `its own DATABASE_URL`,
    );
    this.name = "DatabaseInUseError";
  }
}

export interface ServerLock {
  lockFile: string;
  release(): void;
}

export function serverLockFile(databaseFile: string): string {
  return `${databaseFile}.server-lock`;
}

/** Takes the database's server lock or throws DatabaseInUseError at once (no waiting). */
export function acquireServerLock(databaseFile: string): ServerLock {
  const lockFile = serverLockFile(databaseFile);
  mkdirSync(path.dirname(lockFile), { recursive: true });
  const connection = new Database(lockFile, { timeout: 0 });
  try {
    // In exclusive locking mode the lock a write transaction takes is kept until close.
    connection.pragma("locking_mode = EXCLUSIVE");
    connection.exec("BEGIN EXCLUSIVE; COMMIT");
  } catch (error) {
    connection.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY")
      throw new DatabaseInUseError(databaseFile, lockFile);
    throw error;
  }
  return {
    lockFile,
    release() {
      if (connection.open) connection.close();
    },
  };
}
