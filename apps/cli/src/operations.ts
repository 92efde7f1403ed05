/** The GraphQL operations the CLI sends, and the shapes it reads back. */

export interface SheetEvent {
  seq: number;
  cursor: string;
  jobId: string;
  sheetNum: number;
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface SheetRow {
  num: number;
  movement: number;
  voice: number | null;
  status: string;
  instrument: string;
  costUsd: number;
  description: string | null;
  errorMessage: string | null;
  attempts: { attemptNumber: number }[];
}

export interface JobView {
  id: string;
  name: string;
  status: string;
  pauseReason: string | null;
  totalSheets: number;
  completedSheets: number;
  costUsd: number;
  errorMessage: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  warnings: string[];
  sheets: SheetRow[];
}

const JOB_FIELDS = `
  id name status pauseReason totalSheets completedSheets costUsd errorMessage
  createdAt startedAt completedAt warnings
  sheets { num movement voice status instrument costUsd description errorMessage attempts { attemptNumber } }
`;

export const JOB_QUERY = `query PodiumJob($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`;

export const JOBS_QUERY = `query PodiumJobs($first: Int) {
  jobs(first: $first) { edges { node { id name status totalSheets completedSheets costUsd createdAt owner } } }
}`;

export const PROCESSES_QUERY = `query PodiumProcesses {
  processes { name host pid capacity instruments runningSheets ownedJobs leaseAgeSeconds alive isSelf }
}`;

export interface ProcessRow {
  name: string;
  host: string;
  pid: number;
  capacity: number;
  instruments: string[] | null;
  runningSheets: number;
  ownedJobs: number;
  leaseAgeSeconds: number;
  alive: boolean;
  isSelf: boolean;
}

export interface JobListRow {
  id: string;
  name: string;
  status: string;
  totalSheets: number;
  completedSheets: number;
  costUsd: number;
  createdAt: string;
  /** The process playing it (null once it has ended). */
  owner: string | null;
}

export const SUBMIT_MUTATION = `mutation PodiumSubmit($input: SubmitJobInput!) {
  submitJob(input: $input) {
    __typename
    ... on SubmitJobSuccess { warnings job { id name totalSheets } }
    ... on ScoreInvalid { message problems { path message line } }
  }
}`;

export type SubmitResult =
  | {
      __typename: "SubmitJobSuccess";
      warnings: string[];
      job: { id: string; name: string; totalSheets: number };
    }
  | {
      __typename: "ScoreInvalid";
      message: string;
      problems: { path: string; message: string; line: number | null }[];
    };

export const EVENT_FIELDS = "seq cursor jobId sheetNum event timestamp data";

export const SHEET_EVENTS_SUBSCRIPTION = `subscription PodiumFollow($jobId: ID, $after: String) {
  sheetEvents(jobId: $jobId, after: $after) { ${EVENT_FIELDS} }
}`;

export const EVENTS_QUERY = `query PodiumEvents($jobId: ID, $after: String, $first: Int) {
  events(jobId: $jobId, after: $after, first: $first) {
    edges { node { ${EVENT_FIELDS} } }
    pageInfo { endCursor hasNextPage }
  }
}`;

export interface EventPage {
  events: {
    edges: { node: SheetEvent }[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}

export const PAUSE_MUTATION = `mutation PodiumPause($id: ID!) { pauseJob(id: $id) { id status } }`;
export const RESUME_MUTATION = `mutation PodiumResume($id: ID!, $retryFailed: Boolean) {
  resumeJob(id: $id, retryFailed: $retryFailed) { id status }
}`;
export const CANCEL_MUTATION = `mutation PodiumCancel($id: ID!) { cancelJob(id: $id) { id status } }`;
export const DECIDE_MUTATION = `mutation PodiumDecide($jobId: ID!, $sheetNum: Int!, $decision: FermataDecision!) {
  resolveFermata(jobId: $jobId, sheetNum: $sheetNum, decision: $decision) { num status }
}`;

export const HEALTH_QUERY = `query PodiumHealth {
  health { ok database version uptimeSeconds activeSubscriptions }
  instruments { name kind }
}`;

export const TERMINAL_JOB_EVENTS = new Set(["job.completed", "job.failed", "job.cancelled"]);
export const TERMINAL_JOB_STATUSES = new Set(["COMPLETED", "FAILED", "CANCELLED"]);
