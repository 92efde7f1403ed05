/**
 * A Podium engine in its own process, for the crash test: boots (recovering whatever the last
 * incarnation left), submits the test's jobs under fixed idempotency keys (so a resubmission
 * after a crash is a no-op), prints "ready", and exits 0 once every job is terminal and its
 * on_success hooks have run.
 *
 *   PODIUM_TEST_DB (a DATABASE_URL)  PODIUM_TEST_DATA (data dir)  PODIUM_TEST_SCORE (score file)
 *   PODIUM_TEST_JOBS (how many jobs)
 */
import { readFileSync } from "node:fs";
import { createPodium } from "../../../../apps/server/src/app.ts";
import { isTerminalJob } from "../../../../apps/server/src/contracts/status.ts";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const podium = await createPodium({
  databaseUrl: env("PODIUM_TEST_DB"),
  dataDir: env("PODIUM_TEST_DATA"),
  instrumentDirs: [],
});
const score = readFileSync(env("PODIUM_TEST_SCORE"), "utf8");
const jobIds: string[] = [];
for (let i = 0; i < Number(env("PODIUM_TEST_JOBS")); i += 1) {
  const outcome = await podium.conductor.submitJob({ score, idempotencyKey: `crash-job-${i}` });
  if (!outcome.ok) throw new Error(outcome.message);
  jobIds.push(outcome.jobId);
}
process.stdout.write(
  `ready recovered=${podium.recovery.recoveredJobs.length} reaped=${podium.recovery.reapedProcessGroups.length}\n`,
);

const timer = setInterval(async () => {
  const jobs = (await Promise.all(jobIds.map((id) => podium.store.loadJob(id)))).map((s) => s!.job);
  const statuses = jobs.map((job) => job.record.status);
  // Done once every job is terminal and no succeeded job still has on_success hooks to run.
  if (
    statuses.every(isTerminalJob) &&
    jobs.every((job) => !job.hooksPending || job.record.status !== "completed")
  ) {
    clearInterval(timer);
    void podium.close().then(() => {
      process.stdout.write(`done ${statuses.join(",")}\n`);
      process.exit(0);
    });
  }
}, 50);
