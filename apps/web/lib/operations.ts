/** Every GraphQL operation the dashboard sends, typed from the server schema. */
import { graphql } from "./graphql.ts";

export const JobSummaryFields = graphql(`
  fragment JobSummaryFields on Job {
    id
    name
    status
    pauseReason
    createdAt
    startedAt
    completedAt
    updatedAt
    totalSheets
    completedSheets
    costUsd
  }
`);

export const JobsQuery = graphql(
  `
    query Jobs($first: Int, $status: [JobStatus!]) {
      jobs(first: $first, status: $status) {
        edges {
          node {
            ...JobSummaryFields
          }
        }
      }
    }
  `,
  [JobSummaryFields],
);

export const JobUpdatedSubscription = graphql(
  `
    subscription JobUpdated($id: ID) {
      jobUpdated(id: $id) {
        ...JobSummaryFields
      }
    }
  `,
  [JobSummaryFields],
);

export const JobQuery = graphql(
  `
    query Job($id: ID!) {
      job(id: $id) {
        ...JobSummaryFields
        owner
        workspace
        warnings
        errorMessage
        sheets {
          num
          status
          movement
          voice
          description
          instrument
          dependsOn
          costUsd
          errorCode
          startedAt
          completedAt
          attempts {
            attemptNumber
            mode
            instrument
            executionSuccess
            errorClass
            startedAt
            finishedAt
          }
        }
      }
    }
  `,
  [JobSummaryFields],
);

export const SheetEventFields = graphql(`
  fragment SheetEventFields on SheetEvent {
    cursor
    seq
    jobId
    sheetNum
    event
    data
    timestamp
  }
`);

export const EventsQuery = graphql(
  `
    query Events($jobId: ID, $after: String, $first: Int) {
      events(jobId: $jobId, after: $after, first: $first) {
        edges {
          node {
            ...SheetEventFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  [SheetEventFields],
);

export const SheetEventsSubscription = graphql(
  `
    subscription SheetEvents($jobId: ID, $after: String) {
      sheetEvents(jobId: $jobId, after: $after) {
        ...SheetEventFields
      }
    }
  `,
  [SheetEventFields],
);

export const SheetQuery = graphql(`
  query Sheet($id: ID!, $num: Int!) {
    job(id: $id) {
      id
      name
      status
      totalSheets
      sheet(num: $num) {
        num
        status
        movement
        voice
        description
        instrument
        instrumentChain
        instrumentIndex
        fallbacks
        model
        dependsOn
        normalAttempts
        completionAttempts
        validationPassRate
        costUsd
        errorCode
        errorMessage
        stdoutTail
        stderrTail
        prompt
        startedAt
        completedAt
        attempts {
          attemptNumber
          mode
          instrument
          model
          executionSuccess
          exitCode
          durationMs
          validationsPassed
          validationsTotal
          passRate
          validationDetails {
            index
            type
            description
            passed
            message
          }
          errorClass
          errorMessage
          rateLimited
          costUsd
          startedAt
          finishedAt
        }
      }
    }
  }
`);

export const ValidateScoreQuery = graphql(`
  query ValidateScore($score: String!) {
    validateScore(score: $score) {
      valid
      sheetCount
      warnings
      problems {
        path
        message
        line
      }
    }
  }
`);

export const SubmitJobMutation = graphql(`
  mutation SubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) {
      __typename
      ... on SubmitJobSuccess {
        job {
          id
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
`);

export const PauseJobMutation = graphql(`
  mutation PauseJob($id: ID!) {
    pauseJob(id: $id) {
      id
      status
      pauseReason
    }
  }
`);

export const ResumeJobMutation = graphql(`
  mutation ResumeJob($id: ID!, $retryFailed: Boolean) {
    resumeJob(id: $id, retryFailed: $retryFailed) {
      id
      status
      pauseReason
    }
  }
`);

export const CancelJobMutation = graphql(`
  mutation CancelJob($id: ID!) {
    cancelJob(id: $id) {
      id
      status
    }
  }
`);

export const ResolveFermataMutation = graphql(`
  mutation ResolveFermata($jobId: ID!, $sheetNum: Int!, $decision: FermataDecision!) {
    resolveFermata(jobId: $jobId, sheetNum: $sheetNum, decision: $decision) {
      num
      status
    }
  }
`);

export const ClearRateLimitMutation = graphql(`
  mutation ClearRateLimit($instrument: String) {
    clearRateLimit(instrument: $instrument)
  }
`);

export const ExamplesQuery = graphql(`
  query Examples {
    examples {
      name
      fileName
      text
    }
  }
`);

export const HealthQuery = graphql(`
  query Health {
    health {
      ok
      database
      version
      uptimeSeconds
      activeSubscriptions
      draining
    }
  }
`);

export const ProcessesQuery = graphql(`
  query Processes {
    processes {
      name
      host
      pid
      capacity
      instruments
      runningSheets
      ownedJobs
      leaseAgeSeconds
      alive
      isSelf
    }
  }
`);
