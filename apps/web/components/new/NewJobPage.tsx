"use client";
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { useInBrowser } from "../../app/providers.tsx";
import { ExamplesQuery, SubmitJobMutation, ValidateScoreQuery } from "../../lib/operations.ts";
import { BUNDLED_EXAMPLES, type ExampleScore } from "./examples.ts";
import { ScoreEditor, type ScoreEditorHandle, type ScoreProblem } from "./ScoreEditor.tsx";
import { jobHref } from "../../lib/routes.ts";

interface SubmitOptions {
  escalation: boolean;
  selfHealing: boolean;
  dryRun: boolean;
}

const SUBMIT_OPTIONS: ReadonlyArray<{ key: keyof SubmitOptions; label: string; hint: string }> = [
  {
    key: "escalation",
    label: "Escalate",
    hint: "Hold sheets that run out of retries at a fermata for a decision",
  },
  {
    key: "selfHealing",
    label: "Self-healing",
    hint: "Let the instrument try to repair a failing sheet",
  },
  { key: "dryRun", label: "Dry run", hint: "Validate and plan only; nothing is executed" },
];

type Check =
  | { state: "idle" }
  | { state: "checking" }
  | { state: "unreachable"; message: string }
  | {
      state: "checked";
      valid: boolean;
      problems: readonly ScoreProblem[];
      warnings: readonly string[];
      sheetCount: number | null;
    };

/** Waits for the server's examples (falling back to the bundled ones), then shows the form. */
export function NewJobPage() {
  const inBrowser = useInBrowser();
  const [result] = useQuery({ query: ExamplesQuery, pause: !inBrowser });
  if (!inBrowser || (result.fetching && !result.data))
    return <p className="panel muted">Loading examples…</p>;
  const fromServer = result.data?.examples ?? [];
  return <NewJobForm examples={fromServer.length > 0 ? fromServer : BUNDLED_EXAMPLES} />;
}

function NewJobForm({ examples }: { examples: readonly ExampleScore[] }) {
  const client = useClient();
  const router = useRouter();
  const available = examples;
  const first = available[0];
  const [text, setText] = useState(first?.text ?? "");
  const [check, setCheck] = useState<Check>({ state: "idle" });
  const [submitError, setSubmitError] = useState<{
    message: string;
    problems: readonly ScoreProblem[];
  } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [options, setOptions] = useState<SubmitOptions>({
    escalation: false,
    selfHealing: false,
    dryRun: false,
  });
  const [, submitJob] = useMutation(SubmitJobMutation);
  const editor = useRef<ScoreEditorHandle | null>(null);

  const validate = useCallback(
    async (score: string) => {
      setCheck({ state: "checking" });
      const result = await client
        .query(ValidateScoreQuery, { score }, { requestPolicy: "network-only" })
        .toPromise();
      if (!result.data) {
        setCheck({ state: "unreachable", message: result.error?.message ?? "no answer" });
        return null;
      }
      const validation = result.data.validateScore;
      setCheck({
        state: "checked",
        valid: validation.valid,
        problems: validation.problems,
        warnings: validation.warnings,
        sheetCount: validation.sheetCount,
      });
      return validation.problems;
    },
    [client],
  );

  const submit = async () => {
    setSubmitting(true);
    setSubmitError(null);
    const result = await submitJob({ input: { score: text, ...options } });
    setSubmitting(false);
    const outcome = result.data?.submitJob;
    if (!outcome) {
      setSubmitError({
        message: result.error?.message ?? "The server did not answer.",
        problems: [],
      });
      return;
    }
    switch (outcome.__typename) {
      case "SubmitJobSuccess":
        router.push(jobHref(outcome.job.id));
        return;
      case "ScoreInvalid":
        setSubmitError({ message: outcome.message, problems: outcome.problems });
        return;
      default: {
        const unexpected: never = outcome;
        setSubmitError({
          message: `Unexpected answer: ${JSON.stringify(unexpected)}`,
          problems: [],
        });
      }
    }
  };

  const problems = submitError?.problems.length
    ? submitError.problems
    : check.state === "checked"
      ? check.problems
      : [];

  return (
    <section className="panel">
      <div className="spread">
        <h1>New job</h1>
        <label className="row small">
          Start from an example
          <select
            data-testid="example-select"
            defaultValue={first?.name}
            onChange={(event) => {
              const example = available.find((candidate) => candidate.name === event.target.value);
              if (example) editor.current?.setText(example.text);
            }}
          >
            {available.map((example) => (
              <option key={example.name} value={example.name}>
                {example.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ScoreEditor initialText={text} validate={validate} onChange={setText} handle={editor} />
      <div className="spread" style={{ marginTop: 10 }}>
        <span
          data-testid="validation-state"
          data-state={check.state === "checked" ? (check.valid ? "valid" : "invalid") : check.state}
        >
          <CheckSummary check={check} />
        </span>
        <span className="row small" role="group" aria-label="Run options">
          {SUBMIT_OPTIONS.map(({ key, label, hint }) => (
            <label key={key} title={hint}>
              <input
                type="checkbox"
                checked={options[key]}
                onChange={(event) => setOptions({ ...options, [key]: event.target.checked })}
                data-testid={`option-${key}`}
              />{" "}
              {label}
            </label>
          ))}
        </span>
        <button
          className="primary"
          onClick={() => void submit()}
          disabled={submitting || text.trim() === ""}
          data-testid="submit-job"
        >
          {submitting ? "Submitting…" : "Submit job"}
        </button>
      </div>
      {submitError ? (
        <p className="error-text" role="alert" data-testid="submit-error">
          {submitError.message}
        </p>
      ) : null}
      {problems.length > 0 ? (
        <ul className="problems" data-testid="problems">
          {problems.map((problem, index) => (
            <li
              key={`${index}-${problem.path}`}
              data-testid="problem"
              data-line={problem.line ?? ""}
            >
              <span className="where">
                {problem.line !== null ? `line ${problem.line}` : "score"}
              </span>
              {problem.path ? <code>{problem.path}</code> : null} {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
      {check.state === "checked" && check.warnings.length > 0 ? (
        <ul className="problems small muted" data-testid="warnings">
          {check.warnings.map((warning) => (
            <li key={warning}>warning: {warning}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function CheckSummary({ check }: { check: Check }) {
  switch (check.state) {
    case "idle":
      return <span className="muted">Not checked yet.</span>;
    case "checking":
      return <span className="muted">Checking…</span>;
    case "unreachable":
      return <span className="error-text">Could not check the score: {check.message}</span>;
    case "checked":
      return check.valid ? (
        <span>
          Valid score
          {check.sheetCount !== null
            ? ` — ${check.sheetCount} sheet${check.sheetCount === 1 ? "" : "s"}`
            : ""}
          .
        </span>
      ) : (
        <span className="error-text">
          {check.problems.length} problem{check.problems.length === 1 ? "" : "s"}.
        </span>
      );
    default: {
      const unexpected: never = check;
      return unexpected;
    }
  }
}
