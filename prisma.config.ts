import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The JS engine plus the better-sqlite3 adapter lets the CLI generate and migrate with no
// download of a native schema engine (the machines Podium runs on may be offline).
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? "file:./data/podium.db" }),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
