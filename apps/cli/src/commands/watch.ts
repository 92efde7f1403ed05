/** Following one job to its end on the terminal; the exit code is the job's outcome. */
import { request, type Endpoint } from "../client.ts";
import { followEvents } from "../follow.ts";
import { JOB_QUERY, TERMINAL_JOB_EVENTS, type JobView } from "../operations.ts";
import { outputText } from "../view/format.ts";
import { createRunView } from "../view/run-view.ts";

export const EXIT = { completed: 0, failed: 1, cancelled: 2, unreachable: 3, interrupted: 130 };

export function exitCodeFor(status: string): number {
  if (status === "COMPLETED") return EXIT.completed;
  if (status === "CANCELLED") return EXIT.cancelled;
  return EXIT.failed;
}

export async function fetchJob(endpoint: Endpoint, id: string): Promise<JobView | null> {
  const data = await request<{ job: JobView | null }>(endpoint, JOB_QUERY, { id });
  return data.job;
}

const REFRESH_MS = 250;

export interface WatchOptions {
  /** Stream this sheet's live output. */
  sheet?: number | undefined;
}

export async function watchJob(
  endpoint: Endpoint,
  jobId: string,
  options: WatchOptions = {},
): Promise<number> {
  const view = createRunView();
  const first = await fetchJob(endpoint, jobId);
  if (!first) throw new Error(`no job ${jobId} on ${endpoint.url}`);
  view.job(first);

  // The table is re-read from the server at most every REFRESH_MS while events arrive.
  let refreshing = false;
  let again = false;
  const refresh = (): void => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    void fetchJob(endpoint, jobId)
      .then((job) => job && view.job(job))
      .catch(() => undefined)
      .finally(() => {
        setTimeout(() => {
          refreshing = false;
          if (again) {
            again = false;
            refresh();
          }
        }, REFRESH_MS);
      });
  };

  let disconnected = false;
  await followEvents(endpoint, {
    jobId,
    after: null,
    onEvent(event) {
      if (event.event === "sheet.output") {
        if (event.sheetNum === options.sheet) view.output(outputText(event.data));
        return false;
      }
      view.event(event);
      refresh();
      return TERMINAL_JOB_EVENTS.has(event.event);
    },
    onDisconnect(reason) {
      if (!disconnected) view.notice(`connection lost (${reason}); reconnecting...`);
      disconnected = true;
    },
    onReconnect() {
      disconnected = false;
      view.notice("reconnected; following from the last event received");
    },
  });
  const last = (await fetchJob(endpoint, jobId)) ?? first;
  view.finish(last);
  return exitCodeFor(last.status);
}
