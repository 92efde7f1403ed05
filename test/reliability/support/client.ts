/**
 * A plain GraphQL client for the reliability suite: POST over HTTP, graphql-ws over WebSocket,
 * and the few operations the tests repeat (submit, wait for a job, read the whole event log).
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface GraphQLResponse<T> {
  status: number;
  text: string;
  body: {
    data?: T | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  } | null;
}

export interface Endpoint {
  url: string;
  wsUrl: string;
  token?: string | null;
}

export async function post<T = Record<string, unknown>>(
  endpoint: Endpoint,
  query: string,
  variables?: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const authorization: Record<string, string> = endpoint.token
    ? { authorization: `Bearer ${endpoint.token}` }
    : {};
  const response = await fetch(endpoint.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...authorization,
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let body: GraphQLResponse<T>["body"];
  try {
    body = JSON.parse(text) as GraphQLResponse<T>["body"];
  } catch {
    body = null;
  }
  return { status: response.status, text, body };
}

/** Like `post`, but fails on any GraphQL error and returns `data`. */
export async function query<T = Record<string, unknown>>(
  endpoint: Endpoint,
  text: string,
  variables?: unknown,
): Promise<T> {
  const response = await post<T>(endpoint, text, variables);
  if (!response.body?.data || response.body.errors?.length) {
    throw new Error(
      `GraphQL request failed (${response.status}): ${response.text.slice(0, 2_000)}`,
    );
  }
  return response.body.data;
}

export function wsClient(
  endpoint: Endpoint,
  options: { connectionParams?: Record<string, unknown> } = {},
): Client {
  return createClient({
    url: endpoint.wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams:
      options.connectionParams ??
      (endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : undefined),
  });
}

export const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitJobInput!) {
    submitJob(input: $input) {
      __typename
      ... on SubmitJobSuccess {
        job {
          id
          status
          totalSheets
          workspace
        }
        warnings
      }
      ... on ScoreInvalid {
        message
        problems {
          path
          message
          line
        }
      }
    }
  }
`;

export interface SubmittedJob {
  id: string;
  totalSheets: number;
  workspace: string;
}

export async function submitScore(
  endpoint: Endpoint,
  score: string,
  input: Record<string, unknown> = {},
): Promise<SubmittedJob> {
  const data = await query<{
    submitJob: { __typename: string; job?: SubmittedJob; message?: string; problems?: unknown[] };
  }>(endpoint, SUBMIT, { input: { score, ...input } });
  const result = data.submitJob;
  if (result.__typename !== "SubmitJobSuccess" || !result.job) {
    throw new Error(`score rejected: ${JSON.stringify(result)}`);
  }
  return result.job;
}

export const TERMINAL_JOB_STATUSES = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

export interface SheetView {
  num: number;
  status: string;
  normalAttempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  attempts: {
    attemptNumber: number;
    executionSuccess: boolean;
    exitCode: number | null;
    errorClass: string | null;
    errorMessage: string | null;
  }[];
}

export interface JobView {
  id: string;
  status: string;
  pauseReason: string | null;
  errorMessage: string | null;
  totalSheets: number;
  completedSheets: number;
  workspace: string;
  sheets: SheetView[];
}

const JOB = /* GraphQL */ `
  query Job($id: ID!) {
    job(id: $id) {
      id
      status
      pauseReason
      errorMessage
      totalSheets
      completedSheets
      workspace
      sheets {
        num
        status
        normalAttempts
        errorCode
        errorMessage
        stdoutTail
        stderrTail
        attempts {
          attemptNumber
          executionSuccess
          exitCode
          errorClass
          errorMessage
        }
      }
    }
  }
`;

export async function readJob(endpoint: Endpoint, id: string): Promise<JobView> {
  const data = await query<{ job: JobView | null }>(endpoint, JOB, { id });
  if (!data.job) throw new Error(`job ${id} not found`);
  return data.job;
}

const JOB_STATUS = /* GraphQL */ `
  query JobStatus($id: ID!) {
    job(id: $id) {
      status
    }
  }
`;

/** Polls until the job reaches a terminal status (or one of `statuses`), then returns it whole. */
export async function waitForJob(
  endpoint: Endpoint,
  id: string,
  timeoutMs: number,
  statuses: ReadonlySet<string> = TERMINAL_JOB_STATUSES,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  let last = "unknown";
  while (Date.now() < deadline) {
    const data = await query<{ job: { status: string } | null }>(endpoint, JOB_STATUS, { id });
    last = data.job?.status ?? "missing";
    if (statuses.has(last)) return readJob(endpoint, id);
    await sleep(250);
  }
  throw new Error(`job ${id} still ${last} after ${timeoutMs} ms`);
}

export interface LoggedEvent {
  cursor: string;
  seq: number;
  jobId: string;
  sheetNum: number;
  event: string;
  data: Record<string, unknown>;
  timestamp: string;
}

export const EVENT_FIELDS = "cursor seq jobId sheetNum event data timestamp";

const EVENTS_PAGE = /* GraphQL */ `
  query Events($jobId: ID, $after: String) {
    events(jobId: $jobId, after: $after, first: 500) {
      edges { node { ${EVENT_FIELDS} } }
      pageInfo { endCursor hasNextPage }
    }
  }
`;

/** The whole event log (one job's, or every job's), paged 500 at a time. */
export async function readEventLog(
  endpoint: Endpoint,
  jobId: string | null = null,
): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      events: {
        edges: { node: LoggedEvent }[];
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
    } = await query(endpoint, EVENTS_PAGE, { jobId, after });
    for (const edge of data.events.edges) events.push(edge.node);
    if (!data.events.pageInfo.hasNextPage || data.events.edges.length === 0) return events;
    after = data.events.pageInfo.endCursor;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function eventually(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
