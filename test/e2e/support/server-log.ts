/** Reads and writes that go straight to the server, to compare what the page shows with the truth. */
import { graphqlRequest } from "./processes.ts";

interface EventsPage {
  events: {
    edges: { node: { seq: number; cursor: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** A job's whole event log, straight from the server. */
export async function serverEvents(
  port: number,
  jobId: string,
): Promise<{ seq: number; cursor: string }[]> {
  const events: { seq: number; cursor: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: EventsPage = await graphqlRequest<EventsPage>(
      port,
      `query($jobId: ID, $after: String) { events(jobId: $jobId, after: $after, first: 500) { edges { node { seq cursor } } pageInfo { hasNextPage endCursor } } }`,
      { jobId, after },
    );
    events.push(...page.events.edges.map((edge) => edge.node));
    if (!page.events.pageInfo.hasNextPage) return events;
    after = page.events.pageInfo.endCursor;
  }
}

export async function submitByApi(port: number, score: string): Promise<string> {
  const submitted = await graphqlRequest<{
    submitJob: { __typename: string; job?: { id: string }; message?: string };
  }>(
    port,
    `mutation($score: String!) { submitJob(input: { score: $score }) { __typename ... on SubmitJobSuccess { job { id } } ... on ScoreInvalid { message } } }`,
    { score },
  );
  if (!submitted.submitJob.job) throw new Error(`score refused: ${submitted.submitJob.message}`);
  return submitted.submitJob.job.id;
}

export async function serverSeqs(port: number, jobId: string): Promise<number[]> {
  return (await serverEvents(port, jobId)).map((event) => event.seq);
}

export async function serverCursors(port: number, jobId: string): Promise<string[]> {
  return (await serverEvents(port, jobId)).map((event) => event.cursor);
}
