/**
 * Throw-away databases for tests: a temporary SQLite file, or a fresh PostgreSQL database created
 * on the server named by PODIUM_TEST_POSTGRES_URL and dropped afterwards, so parallel runs never
 * collide. When that variable is unset PostgreSQL tests do not run, and say so plainly; when it
 * is set but the server cannot be used, they fail.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_URL_VARIABLE = "PODIUM_TEST_POSTGRES_URL";

/** The server PostgreSQL tests use, or null (with the reason printed once) when there is none. */
export function testPostgresUrl(): string | null {
  const url = process.env[POSTGRES_URL_VARIABLE]?.trim();
  if (url) return url;
  if (!reported) {
    reported = true;
    console.log(
      `PostgreSQL cases NOT RUN: ${POSTGRES_URL_VARIABLE} is unset (.ci/run sets it after ` +
        `starting Debian's postgresql)`,
    );
  }
  return null;
}
let reported = false;

export interface ThrowAwayDatabase {
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates `podium_t_<random>` on the server; `drop()` removes it (ending its connections). */
export async function createPostgresDatabase(serverUrl: string): Promise<ThrowAwayDatabase> {
  const name = `podium_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TempSqliteFile {
  dir: string;
  url: string;
  remove(): void;
}

export function createSqliteFile(prefix = "podium-db-"): TempSqliteFile {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    url: `file:${path.join(dir, "podium.db")}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The database a suite's server runs on: a SQLite file in `dir`, or, when
 * PODIUM_TEST_DATABASE=postgresql, a throw-away PostgreSQL database (PODIUM_TEST_POSTGRES_URL
 * must then name a server; its absence fails rather than quietly testing SQLite).
 */
export async function suiteDatabase(dir: string): Promise<ThrowAwayDatabase> {
  if (process.env.PODIUM_TEST_DATABASE !== "postgresql")
    return { url: `file:${path.join(dir, "podium.db")}`, drop: async () => undefined };
  const serverUrl = process.env[POSTGRES_URL_VARIABLE]?.trim();
  if (!serverUrl)
    throw new Error(
      `PODIUM_TEST_DATABASE=postgresql needs ${POSTGRES_URL_VARIABLE} to name a server`,
    );
  return createPostgresDatabase(serverUrl);
}
