import { readFileSync } from "node:fs";
import { buildSchema, findBreakingChanges } from "graphql";
import { describe, expect, it } from "vitest";
import { printSchemaSDL, SCHEMA_FILE } from "../../../apps/server/src/graphql/print-schema.ts";
import { schema } from "../../../apps/server/src/graphql/schema/index.ts";

/**
 * The names clients rely on (DESIGN.md §9). Types the contract leaves open (Attempt, Instrument,
 * connections) are given only the fields every client may assume.
 */
const CONTRACT = /* GraphQL */ `
  scalar DateTime
  scalar JSON
  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
  type Query {
    jobs(first: Int, after: String, status: [JobStatus!]): JobConnection!
    job(id: ID!): Job
    events(jobId: ID, after: String, first: Int): EventConnection!
    validateScore(score: String!): ScoreValidation!
    instruments: [Instrument!]!
  }
  type Mutation {
    submitJob(input: SubmitJobInput!): SubmitJobResult!
    pauseJob(id: ID!): Job!
    resumeJob(id: ID!, retryFailed: Boolean): Job!
    cancelJob(id: ID!): Job!
    resolveFermata(jobId: ID!, sheetNum: Int!, decision: FermataDecision!): Sheet!
    clearRateLimit(instrument: String): Int!
  }
  type Subscription {
    sheetEvents(jobId: ID, after: String): SheetEvent!
    jobUpdated(id: ID): Job!
  }
  type JobConnection {
    edges: [JobEdge!]!
    pageInfo: PageInfo!
  }
  type JobEdge {
    cursor: String!
    node: Job!
  }
  type EventConnection {
    edges: [EventEdge!]!
    pageInfo: PageInfo!
  }
  type EventEdge {
    cursor: String!
    node: SheetEvent!
  }
  type Instrument {
    name: String!
    kind: String!
  }
  type Attempt {
    attemptNumber: Int!
  }
  input SubmitJobInput {
    score: String!
    workspace: String
    idempotencyKey: String
    selfHealing: Boolean
    escalation: Boolean
    startSheet: Int
    dryRun: Boolean
  }
  union SubmitJobResult = SubmitJobSuccess | ScoreInvalid
  type SubmitJobSuccess {
    job: Job!
    warnings: [String!]!
  }
  type ScoreInvalid {
    message: String!
    problems: [ScoreProblem!]!
  }
  type ScoreProblem {
    path: String!
    message: String!
    line: Int
  }
  type ScoreValidation {
    valid: Boolean!
    problems: [ScoreProblem!]!
    warnings: [String!]!
    sheetCount: Int
  }
  type SheetEvent {
    cursor: String!
    seq: Int!
    jobId: ID!
    sheetNum: Int!
    event: String!
    data: JSON!
    timestamp: DateTime!
  }
  enum JobStatus {
    PENDING
    RUNNING
    PAUSED
    COMPLETED
    FAILED
    CANCELLED
  }
  enum SheetStatus {
    PENDING
    READY
    DISPATCHED
    IN_PROGRESS
    WAITING
    RETRY_SCHEDULED
    FERMATA
    COMPLETED
    FAILED
    SKIPPED
    CANCELLED
  }
  enum FermataDecision {
    RETRY
    SKIP
    ACCEPT
    FAIL
  }
  type Job {
    id: ID!
    name: String!
    status: JobStatus!
    pauseReason: String
    score: String!
    workspace: String!
    createdAt: DateTime!
    startedAt: DateTime
    completedAt: DateTime
    totalSheets: Int!
    completedSheets: Int!
    costUsd: Float!
    warnings: [String!]!
    sheets: [Sheet!]!
    sheet(num: Int!): Sheet
    events(after: String, first: Int): EventConnection!
  }
  type Sheet {
    num: Int!
    status: SheetStatus!
    movement: Int!
    voice: Int
    description: String
    instrument: String!
    model: String
    dependsOn: [Int!]!
    normalAttempts: Int!
    completionAttempts: Int!
    attempts: [Attempt!]!
    validationPassRate: Float
    costUsd: Float!
    errorCode: String
    errorMessage: String
    stdoutTail: String
    stderrTail: String
    prompt: String
    startedAt: DateTime
    completedAt: DateTime
  }
`;

describe("GraphQL schema", () => {
  it("keeps every name and type of the §9 contract", () => {
    const breaking = findBreakingChanges(buildSchema(CONTRACT), schema);
    expect(breaking.map((change) => change.description)).toEqual([]);
  });

  it("matches the committed apps/server/schema.graphql (run `pnpm schema:print` after a change)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(printSchemaSDL());
  });

  it("prints the same SDL as the snapshot", () => {
    expect(printSchemaSDL()).toMatchSnapshot();
  });
});
