import { configDefaults, defineConfig } from "vitest/config";

/** PostgreSQL-only suites: they run once, in the `postgresql` project. */
const POSTGRES_ONLY = ["test/integration/store/log-tail*.test.ts"];

// Test layers (DESIGN.md §1): unit tests are pure and fast; regression tests pin fixed bugs, some
// with a real server process; integration tests use real SQLite files and real processes; e2e
// drives Chromium; reliability runs load, faults and hostile input (short unless
// PODIUM_RELIABILITY=full); perf holds the opt-in benchmarks.
// Every project `extends: true` so that it inherits the alias below (vitest 4 does not pass the
// root config to inline projects otherwise). vitest 4 runs on every Node version in `engines`.
export default defineConfig({
  // One graphql instance: Pothos, Yoga and graphql-ws load graphql's CommonJS entry (it has no
  // `exports` map), while Vite would hand test and source files its `.mjs` entry. Two instances
  // break schema checks ("Cannot use GraphQLObjectType from another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "regression",
          include: ["test/regression/**/*.test.ts"],
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...POSTGRES_ONLY],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        // Load, faults, bad input and security against real server processes (test/reliability).
        // PODIUM_RELIABILITY=full holds the full load; `short` (npm test) scales it down for CI.
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        // The engine, gateway, crash recovery and reliability suites again, on throw-away
        // PostgreSQL databases (test/support/databases.ts); needs PODIUM_TEST_POSTGRES_URL
        // (.ci/run sets it). faults-storage stays SQLite-only (it holds the file's write lock).
        // The event-log tail and its wake-ups exist on PostgreSQL only.
        test: {
          name: "postgresql",
          include: [
            "test/integration/conductor/**/*.test.ts",
            "test/integration/gateway/**/*.test.ts",
            "test/integration/recovery/**/*.test.ts",
            ...POSTGRES_ONLY,
            ...[
              "bad-input",
              "faults-crash",
              "faults-process",
              "faults-slow-subscriber",
              "graceful-drain",
              "load",
              "security-child-env",
              "security-redaction",
              "security-secrets",
              "security-yaml-aliases",
            ].map((name) => `test/reliability/${name}.test.ts`),
          ],
          env: { PODIUM_TEST_DATABASE: "postgresql" },
          testTimeout: 900_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: "perf",
          include: ["test/perf/**/*.bench.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
