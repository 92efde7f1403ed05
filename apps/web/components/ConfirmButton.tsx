"use client";
/**
 * A button for an action that changes a job: it asks once more inline, runs the action, and
 * shows the server's error next to it when the action fails.
 */
import { useState, type ReactNode } from "react";

export interface ActionOutcome {
  error: string | null;
}

export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  danger = false,
  disabled = false,
  testId,
}: {
  label: ReactNode;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<ActionOutcome>;
  danger?: boolean;
  disabled?: boolean;
  testId: string;
}) {
  const [stage, setStage] = useState<"idle" | "asking" | "running">("idle");
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setStage("running");
    setError(null);
    try {
      const outcome = await onConfirm();
      setError(outcome.error);
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
    }
    setStage("idle");
  };

  return (
    <span className="action" data-testid={testId}>
      {stage === "idle" ? (
        <button
          className={danger ? "danger" : undefined}
          disabled={disabled}
          onClick={() => setStage("asking")}
          data-testid={`${testId}-button`}
        >
          {label}
        </button>
      ) : (
        <span className="confirm-box" role="alertdialog" aria-label={question}>
          <span>{question}</span>
          <button
            className={danger ? "danger confirm" : "primary"}
            disabled={stage === "running"}
            onClick={() => void run()}
            data-testid={`${testId}-confirm`}
            autoFocus
          >
            {stage === "running" ? "Working…" : confirmLabel}
          </button>
          <button disabled={stage === "running"} onClick={() => setStage("idle")}>
            Keep
          </button>
        </span>
      )}
      {error ? (
        <div className="action-error" role="alert" data-testid={`${testId}-error`}>
          {error}
        </div>
      ) : null}
    </span>
  );
}
