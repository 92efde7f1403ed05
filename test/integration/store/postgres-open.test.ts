/**
 * Opening a PostgreSQL database: refused clearly when the server cannot be used (the password
 * never shown), migrated once when two processes boot at once, and held by one server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DatabaseUnavailableError,
  openPostgresDatabase,
} from "../../../apps/server/src/store/postgres/database.ts";
import { databaseTarget, openStore } from "../../../apps/server/src/store/open-store.ts";
import { databaseTag } from "../../../apps/server/src/conductor/orphans.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../../support/databases.ts";

const serverUrl = testPostgresUrl();

describe("choosing the backend from DATABASE_URL", () => {
  it("tells SQLite paths, PostgreSQL URLs and unusable schemes apart", () => {
    expect(databaseTarget("file:./data/x.db", "/srv")).toEqual({
      kind: "sqlite",
      filePath: "/srv/data/x.db",
    });
    expect(databaseTarget("data/x.db", "/srv")).toMatchObject({ kind: "sqlite" });
    for (const url of ["postgres://u:pw@h/db", "postgresql://u:pw@h:5432/db"])
      expect(databaseTarget(url)).toMatchObject({ kind: "postgresql", url });
    expect(() => databaseTarget("mysql://u:pw@h/db")).toThrow(
      expect.objectContaining({ name: "UnsupportedDatabaseUrlError" }),
    );
  });

  it("tags orphan processes of a PostgreSQL database by its URL without the password", () => {
    const a = databaseTarget("postgresql://u:first@h/db");
    const b = databaseTarget("postgresql://u:second@h/db");
    if (a.kind !== "postgresql" || b.kind !== "postgresql") throw new Error("unreachable");
    expect(a.identity).toBe("postgresql://u:***@h/db");
    expect(databaseTag(a.identity)).toBe(databaseTag(b.identity));
  });

  it("refuses an unreachable PostgreSQL with a typed error that hides the password", async () => {
    const error = await openStore("postgresql://podium:hunter2@127.0.0.1:1/podium").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/cannot use the PostgreSQL database .*127\.0\.0\.1:1/);
    expect((error as Error).message).not.toContain("hunter2");
  });
});

describe.skipIf(serverUrl === null)("a PostgreSQL database", () => {
  let database: ThrowAwayDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
  });
  afterAll(async () => database?.drop());

  it("refuses a wrong password, naming the problem but not the password", async () => {
    const url = new URL(database.url);
    url.password = "not-the-password";
    const error = await openStore(url.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/password was refused|authentication failed/);
    expect((error as Error).message).not.toContain("not-the-password");
  });

  it("is migrated once when two processes boot at once", async () => {
    const [a, b] = await Promise.all([
      openPostgresDatabase(database.url),
      openPostgresDatabase(database.url),
    ]);
    try {
      expect([...a.migrations.applied, ...b.migrations.applied]).toHaveLength(
        a.migrations.applied.length + a.migrations.alreadyApplied.length,
      );
      const rows = await a.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows.rows[0].n).toBe(a.migrations.applied.length + a.migrations.alreadyApplied.length);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
