import { JobsPage, JOBS_PAGE_SIZE } from "../components/jobs/JobsPage.tsx";
import { ServerHealth } from "../components/ServerHealth.tsx";
import { readPodiumEndpoint } from "../lib/config.ts";
import { HealthQuery, JobsQuery } from "../lib/operations.ts";
import { serverQuery } from "../lib/server-query.ts";

// The first HTML already holds the jobs and the server's health, so the page paints its content
// at once; the browser then keeps both live. A server that is down just means an empty start.
export default async function Home() {
  const endpoint = readPodiumEndpoint();
  const started = performance.now();
  const [jobs, health] = await Promise.all([
    serverQuery(endpoint, JobsQuery, { first: JOBS_PAGE_SIZE, status: null }),
    serverQuery(endpoint, HealthQuery, {}),
  ]);
  const latencyMs = Math.round(performance.now() - started);
  return (
    <>
      <ServerHealth initial={health ? { health: health.health, latencyMs } : null} />
      <JobsPage initial={jobs} />
    </>
  );
}
