/** `podium status`, `podium logs`, and the commands that steer a job. */
import { request, type Endpoint } from "../client.ts";
import { followEvents } from "../follow.ts";
import {
  CANCEL_MUTATION,
  DECIDE_MUTATION,
  EVENTS_QUERY,
  JOBS_QUERY,
  PAUSE_MUTATION,
  PROCESSES_QUERY,
  RESUME_MUTATION,
  TERMINAL_JOB_EVENTS,
  TERMINAL_JOB_STATUSES,
  type EventPage,
  type JobListRow,
  type ProcessRow,
  type SheetEvent,
} from "../operations.ts";
import {
  eventLine,
  jobSummary,
  money,
  outputText,
  SHEET_HEADER,
  sheetCells,
  table,
} from "../view/format.ts";
import { fetchJob } from "./watch.ts";

export async function statusCommand(
  endpoint: Endpoint,
  jobId: string | undefined,
): Promise<number> {
  if (jobId === undefined) {
    const data = await request<{ jobs: { edges: { node: JobListRow }[] } }>(endpoint, JOBS_QUERY, {
      first: 50,
    });
    const rows = data.jobs.edges.map(({ node }) => [
      node.id,
      node.name,
      node.status.toLowerCase(),
      `${node.completedSheets}/${node.totalSheets}`,
      money(node.costUsd),
      node.createdAt.replace("T", " ").slice(0, 19),
      node.owner ?? "",
    ]);
    if (rows.length === 0)
      console.log("no jobs yet: start one with podium run <score.yaml> --watch");
    else
      console.log(
        table(["job", "name", "status", "sheets", "cost", "created", "process"], rows).join("\n"),
      );
    return 0;
  }
  const job = await fetchJob(endpoint, jobId);
  if (!job) {
    console.error(`no job ${jobId}`);
    return 1;
  }
  console.log(jobSummary(job));
  if (job.errorMessage) console.log(`error: ${job.errorMessage}`);
  for (const warning of job.warnings) console.log(`warning: ${warning}`);
  console.log(table(SHEET_HEADER, job.sheets.map(sheetCells)).join("\n"));
  return 0;
}

export interface LogsOptions {
  follow?: boolean;
  sheet?: number;
}

function printEvent(event: SheetEvent, sheet: number | undefined): void {
  if (sheet !== undefined && event.sheetNum !== sheet && event.sheetNum !== 0) return;
  if (event.event === "sheet.output") {
    if (sheet !== undefined) process.stdout.write(outputText(event.data));
    return;
  }
  console.log(eventLine(event));
}

export async function logsCommand(
  endpoint: Endpoint,
  jobId: string,
  options: LogsOptions,
): Promise<number> {
  const job = await fetchJob(endpoint, jobId);
  if (!job) {
    console.error(`no job ${jobId}`);
    return 1;
  }
  let after: string | null = null;
  let ended = false;
  for (;;) {
    const page: EventPage = await request<EventPage>(endpoint, EVENTS_QUERY, {
      jobId,
      after,
      first: 500,
    });
    for (const { node } of page.events.edges) {
      printEvent(node, options.sheet);
      if (TERMINAL_JOB_EVENTS.has(node.event)) ended = true;
    }
    after = page.events.pageInfo.endCursor ?? after;
    if (!page.events.pageInfo.hasNextPage) break;
  }
  if (!options.follow || ended || TERMINAL_JOB_STATUSES.has(job.status)) return 0;
  await followEvents(endpoint, {
    jobId,
    after,
    onEvent(event) {
      printEvent(event, options.sheet);
      return TERMINAL_JOB_EVENTS.has(event.event);
    },
    onDisconnect: (reason) => console.error(`connection lost (${reason}); reconnecting...`),
  });
  return 0;
}

export async function controlCommand(
  endpoint: Endpoint,
  action: "pause" | "resume" | "cancel",
  jobId: string,
  options: { retryFailed?: boolean } = {},
): Promise<number> {
  const mutation = { pause: PAUSE_MUTATION, resume: RESUME_MUTATION, cancel: CANCEL_MUTATION }[
    action
  ];
  const variables =
    action === "resume" ? { id: jobId, retryFailed: options.retryFailed ?? false } : { id: jobId };
  const data = await request<Record<string, { id: string; status: string }>>(
    endpoint,
    mutation,
    variables,
  );
  const job = Object.values(data)[0]!;
  console.log(`job ${job.id}: ${job.status.toLowerCase()}`);
  return 0;
}

export const DECISIONS = ["retry", "skip", "accept", "fail"] as const;

export async function decideCommand(
  endpoint: Endpoint,
  jobId: string,
  sheetNum: number,
  decision: (typeof DECISIONS)[number],
): Promise<number> {
  const data = await request<{ resolveFermata: { num: number; status: string } }>(
    endpoint,
    DECIDE_MUTATION,
    {
      jobId,
      sheetNum,
      decision: decision.toUpperCase(),
    },
  );
  console.log(`sheet ${data.resolveFermata.num}: ${data.resolveFermata.status.toLowerCase()}`);
  return 0;
}

/** `podium processes`: the Podium processes sharing the server's database. */
export async function processesCommand(endpoint: Endpoint): Promise<number> {
  const data = await request<{ processes: ProcessRow[] }>(endpoint, PROCESSES_QUERY);
  const rows = data.processes.map((p) => [
    p.isSelf ? `${p.name} *` : p.name,
    p.alive ? "alive" : "dead",
    `${p.runningSheets}/${p.capacity}`,
    String(p.ownedJobs),
    `${Math.round(p.leaseAgeSeconds)}s`,
    p.instruments === null ? "any" : p.instruments.join(","),
    `${p.host}:${p.pid}`,
  ]);
  console.log(
    table(
      ["process", "state", "sheets", "jobs", "heartbeat", "instruments", "host:pid"],
      rows,
    ).join("\n"),
  );
  console.log("* the process that answered");
  return 0;
}
