"use client";
import { useMutation, type CombinedError } from "urql";
import { isTerminalJobStatus } from "../../lib/format.ts";
import {
  CancelJobMutation,
  ClearRateLimitMutation,
  PauseJobMutation,
  ResolveFermataMutation,
  ResumeJobMutation,
} from "../../lib/operations.ts";
import { ConfirmButton, type ActionOutcome } from "../ConfirmButton.tsx";

const FERMATA_DECISIONS = [
  { decision: "RETRY", label: "Retry", question: "Run this sheet again?" },
  { decision: "SKIP", label: "Skip", question: "Skip this sheet?" },
  { decision: "ACCEPT", label: "Accept", question: "Accept this sheet's output as done?" },
  { decision: "FAIL", label: "Fail", question: "Fail this sheet?" },
] as const;

function outcomeOf(result: { error?: CombinedError | undefined }): ActionOutcome {
  if (!result.error) return { error: null };
  const messages = result.error.graphQLErrors.map((error) => error.message);
  return { error: messages.length > 0 ? messages.join("; ") : result.error.message };
}

export function JobActions({
  jobId,
  status,
  fermataSheets,
  hasWaitingSheets,
  onChanged,
}: {
  jobId: string;
  status: string;
  fermataSheets: readonly number[];
  hasWaitingSheets: boolean;
  onChanged: () => void;
}) {
  const [, pause] = useMutation(PauseJobMutation);
  const [, resume] = useMutation(ResumeJobMutation);
  const [, cancel] = useMutation(CancelJobMutation);
  const [, resolveFermata] = useMutation(ResolveFermataMutation);
  const [, clearRateLimit] = useMutation(ClearRateLimitMutation);
  const terminal = isTerminalJobStatus(status);

  const after = async (run: Promise<{ error?: CombinedError | undefined }>) => {
    const outcome = outcomeOf(await run);
    onChanged();
    return outcome;
  };

  return (
    <div className="panel" data-testid="job-actions">
      <div className="row">
        {status === "PAUSED" ? (
          <ConfirmButton
            label="Resume"
            question="Resume this job?"
            confirmLabel="Yes, resume"
            testId="action-resume"
            onConfirm={() => after(resume({ id: jobId }))}
          />
        ) : (
          <ConfirmButton
            label="Pause"
            question="Pause this job? Running sheets finish first."
            confirmLabel="Yes, pause"
            testId="action-pause"
            disabled={terminal}
            onConfirm={() => after(pause({ id: jobId }))}
          />
        )}
        {status === "FAILED" ? (
          <ConfirmButton
            label="Retry failed sheets"
            question="Resume and run the failed sheets again?"
            confirmLabel="Yes, retry"
            testId="action-retry-failed"
            onConfirm={() => after(resume({ id: jobId, retryFailed: true }))}
          />
        ) : null}
        <ConfirmButton
          label="Cancel"
          question="Cancel this job? Running sheets are stopped."
          confirmLabel="Yes, cancel job"
          danger
          testId="action-cancel"
          disabled={terminal}
          onConfirm={() => after(cancel({ id: jobId }))}
        />
        <ConfirmButton
          label={hasWaitingSheets ? "Clear rate limits (sheets waiting)" : "Clear rate limits"}
          question="Clear every active rate limit now?"
          confirmLabel="Yes, clear"
          testId="action-clear-rate-limit"
          onConfirm={async () => {
            const result = await clearRateLimit({ instrument: null });
            onChanged();
            return outcomeOf(result);
          }}
        />
      </div>
      {fermataSheets.map((sheetNum) => (
        <div
          className="row"
          key={sheetNum}
          data-testid="fermata"
          data-sheet={sheetNum}
          style={{ marginTop: 10 }}
        >
          <strong>Sheet {sheetNum} is held for a decision:</strong>
          {FERMATA_DECISIONS.map(({ decision, label, question }) => (
            <ConfirmButton
              key={decision}
              label={label}
              question={`Sheet ${sheetNum}: ${question}`}
              confirmLabel={`Yes, ${label.toLowerCase()}`}
              danger={decision === "FAIL"}
              testId={`fermata-${sheetNum}-${decision.toLowerCase()}`}
              onConfirm={() => after(resolveFermata({ jobId, sheetNum, decision }))}
            />
          ))}
        </div>
      ))}
    </div>
  );
}
