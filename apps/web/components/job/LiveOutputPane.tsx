"use client";
/**
 * The agent's live progress (assistant text, tool calls, tokens so far) as `sheet.output`
 * events bring it. Fed by the page's event log, capped in length, and kept scrolled to the
 * newest line unless the reader has scrolled up.
 */
import { useEffect, useMemo, useRef } from "react";
import type { LogEvent } from "./event-log-store.ts";
import { liveOutputView } from "./live-output.ts";

export function LiveOutputPane({
  events,
  sheetNum = null,
}: {
  events: readonly LogEvent[];
  /** Null: every sheet of the job, each line marked with its sheet. */
  sheetNum?: number | null;
}) {
  const view = useMemo(() => liveOutputView(events, sheetNum), [events, sheetNum]);
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  useEffect(() => {
    const element = pre.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [view.text]);

  const tokens =
    view.inputTokens !== null || view.outputTokens !== null
      ? `${view.inputTokens ?? "?"} in / ${view.outputTokens ?? "?"} out tokens`
      : null;
  return (
    <section className="panel" data-testid="live-output">
      <div className="spread">
        <h2>Live output</h2>
        <span className="muted small" data-testid="live-output-status">
          {view.batches} updates{tokens ? ` · ${tokens}` : ""}
          {view.clipped ? " · older output not shown" : ""}
        </span>
      </div>
      <pre
        ref={pre}
        data-testid="live-output-text"
        onScroll={(event) => {
          const element = event.currentTarget;
          pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
        }}
      >
        {view.text || "(no live output yet)"}
      </pre>
    </section>
  );
}
