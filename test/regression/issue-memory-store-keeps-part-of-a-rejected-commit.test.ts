/**
 * The in-memory store (the oracle of the engine tests) applied a commit's new jobs one by one and
 * threw only on reaching a taken idempotency key: the new jobs before it stayed, and their keys
 * stayed claimed, where SQLite and PostgreSQL roll the whole commit back. A rejected commit must
 * leave nothing behind, in memory as in a database.
 */
import { describe, expect, it } from "vitest";
import { MemoryCheckpointStore } from "../../apps/server/src/store/memory-store.ts";
import type { CheckpointCommit } from "../../apps/server/src/baton/index.ts";
import { newJob } from "../integration/store/support/fixtures.ts";

const submitting = (...jobs: CheckpointCommit["newJobs"] & object): CheckpointCommit => ({
  newJobs: jobs,
  jobs: [],
  sheets: [],
  attempts: [],
  events: [],
});

describe("a commit rejected for a taken idempotency key, in memory", () => {
  it("keeps none of its new jobs and claims none of their keys", async () => {
    const store = new MemoryCheckpointStore();
    await store.commit(submitting(newJob("first", { idempotencyKey: "k" })));
    await expect(
      store.commit(
        submitting(
          newJob("fresh", { idempotencyKey: "other" }),
          newJob("second", { idempotencyKey: "k" }),
        ),
      ),
    ).rejects.toThrow(/idempotency key of job second already names job first/);
    expect([...store.jobs.keys()]).toEqual(["first"]);
    await store.commit(submitting(newJob("third", { idempotencyKey: "other" })));
    expect([...store.jobs.keys()]).toEqual(["first", "third"]);
  });

  it("refuses two new jobs of one commit that share a key", async () => {
    const store = new MemoryCheckpointStore();
    await expect(
      store.commit(
        submitting(
          newJob("a", { idempotencyKey: "same" }),
          newJob("b", { idempotencyKey: "same" }),
        ),
      ),
    ).rejects.toThrow(/idempotency key of job b already names job a/);
    expect(store.jobs.size).toBe(0);
  });
});
