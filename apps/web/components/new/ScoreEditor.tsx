"use client";
/**
 * The score editor: CodeMirror 6 with YAML highlighting, and the server's `validateScore`
 * problems shown as lint diagnostics on the lines they name (checked shortly after typing stops).
 */
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter } from "@codemirror/lint";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useRef } from "react";
import { problemsToDiagnostics, type ScoreProblem } from "./score-diagnostics.ts";

export type { ScoreProblem };

const LINT_DELAY_MS = 400;

export interface ScoreEditorHandle {
  setText(text: string): void;
}

export function ScoreEditor({
  initialText,
  validate,
  onChange,
  handle,
}: {
  initialText: string;
  /** Checks the text; resolves to its problems (empty when valid), or null if it could not check. */
  validate: (text: string) => Promise<readonly ScoreProblem[] | null>;
  onChange: (text: string) => void;
  handle?: React.RefObject<ScoreEditorHandle | null>;
}) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef({ validate, onChange });
  latest.current = { validate, onChange };

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      doc: initialText,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        linter(
          async (editor) => {
            const problems = await latest.current.validate(editor.state.doc.toString());
            return problems ? problemsToDiagnostics(editor.state.doc, problems) : [];
          },
          { delay: LINT_DELAY_MS },
        ),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current.onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({
          "aria-label": "Score YAML",
          "data-testid": "score-editor",
        }),
      ],
    });
    if (handle) {
      handle.current = {
        setText(text) {
          view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
        },
      };
    }
    return () => view.destroy();
    // The editor is created once; later text changes go through the handle.
  }, []);

  return <div className="editor" ref={host} />;
}
