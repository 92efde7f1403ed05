import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The PostgreSQL schema's CLI config: the JS engine with the pg adapter, so generating the client
// and diffing migrations need no download. Generating never connects; diffing from the schema
// file (`migrate diff --from-empty --to-schema-datamodel`) does not either.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgresql://podium@127.0.0.1:5432/podium",
    }),
  schema: "schema.prisma",
  migrations: { path: "migrations" },
});
