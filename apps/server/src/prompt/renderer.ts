/**
 * Builds the prompt an agent receives (DESIGN.md §6): preamble, context from earlier sheets and
 * prelude/cadenza context files, the score's template rendered with the sheet's variables
 * (SCORE-SCHEMA.md §33 A), injected skills and tools, the validation checklist, and in
 * completion mode a suffix naming what is still unmet.
 * Raw-prompt instruments (such as `cli`) get the rendered template alone.
 */
import type { AttemptRequest } from "../contracts/attempt.ts";
import { isApplicable, describeRule, type ValidationRule } from "../validation/engine.ts";
import { validationValues } from "../validation/context.ts";
import { expandPathPlaceholders } from "../validation/placeholders.ts";
import type { ScoreSandbox } from "../sandbox/score-sandbox.ts";
import { resolveInjections } from "./context-files.ts";
import { renderTemplate, TemplateRenderError } from "./template.ts";
import { templateVariables, type InjectedTexts } from "./variables.ts";

export { templateVariables };

export type RenderOutcome =
  { ok: true; prompt: string } | { ok: false; message: string; line: number | null };

export interface RenderOptions {
  rawPrompt: boolean;
}

const DEFAULT_TEMPLATE =
  "Carry out sheet {{ sheet_num }} of {{ total_sheets }} in {{ workspace }}.";

function preamble(request: AttemptRequest): string {
  const sheet = request.sheet;
  const lines = [`You are sheet ${sheet.num} of ${request.totalSheets}.`];
  const place =
    sheet.voice !== null
      ? `movement ${sheet.movement} of ${request.totalMovements}, voice ${sheet.voice} of ${sheet.voiceCount}`
      : `movement ${sheet.movement} of ${request.totalMovements}`;
  lines.push(`This is ${place}${sheet.description ? `: ${sheet.description}` : ""}.`);
  lines.push(
    `Your workspace is ${request.workspace}. Work inside it; your results are checked there.`,
  );
  if (request.prompt.concurrentSheets)
    lines.push(
      "Other sheets of this job may be running at the same time in the same workspace: change only the files your task names, and do not rely on files other sheets are still writing.",
    );
  if (request.prompt.retryNotice) lines.push(request.prompt.retryNotice);
  else if (request.attemptNumber > 1)
    lines.push(`This is attempt ${request.attemptNumber} of this sheet.`);
  return lines.join("\n");
}

function injectedContext(request: AttemptRequest): string | null {
  const sections: string[] = [];
  const outputs = Object.entries(request.prompt.previousOutputs).sort(
    ([a], [b]) => Number(a) - Number(b),
  );
  for (const [sheetNum, output] of outputs)
    sections.push(`### Output of sheet ${sheetNum}\n${output}`);
  for (const [file, content] of Object.entries(request.prompt.previousFiles)) {
    sections.push(`### File ${file}\n\`\`\`\n${content}\n\`\`\``);
  }
  return sections.length > 0 ? `## Context from earlier sheets\n\n${sections.join("\n\n")}` : null;
}

function injectedSection(title: string, texts: readonly string[]): string | null {
  return texts.length > 0 ? `## ${title}\n\n${texts.join("\n\n")}` : null;
}

function ruleLine(rule: ValidationRule, request: AttemptRequest): string {
  const description = describeRule(rule);
  try {
    return expandPathPlaceholders(description, validationValues(request));
  } catch {
    return description;
  }
}

function checklist(request: AttemptRequest): string | null {
  const values = validationValues(request);
  const rules = request.validations.filter((rule) => isApplicable(rule, values));
  if (rules.length === 0) return null;
  const items = rules.map((rule) => `- [ ] ${ruleLine(rule, request)}`);
  return `## Requirements\nYour work is checked against these; every one must hold:\n${items.join("\n")}`;
}

function completionSuffix(request: AttemptRequest): string | null {
  const failed = request.prompt.failedValidations;
  if (request.mode !== "completion" && failed.length === 0) return null;
  const list =
    failed.length > 0 ? failed.map((item) => `- ${item}`).join("\n") : "- (not recorded)";
  return [
    "## Finish the remaining work",
    "A previous attempt did part of this sheet. These requirements are still unmet:",
    list,
    "Complete them without redoing what already passes.",
  ].join("\n");
}

export class PromptRenderer {
  constructor(private readonly sandbox?: ScoreSandbox) {}

  async render(request: AttemptRequest, options: RenderOptions): Promise<RenderOutcome> {
    if (options.rawPrompt && request.prompt.template === null) {
      return {
        ok: false,
        message: `instrument '${request.instrument}' runs the prompt as written, but the score has no prompt template`,
        line: null,
      };
    }
    const injected: InjectedTexts = await resolveInjections(request, this.sandbox);
    let body: string;
    try {
      body = await renderTemplate(
        {
          name: "prompt.template",
          template: request.prompt.template ?? DEFAULT_TEMPLATE,
          context: templateVariables(request, injected),
        },
        this.sandbox,
      );
    } catch (error) {
      if (error instanceof TemplateRenderError)
        return { ok: false, message: error.message, line: error.line };
      return { ok: false, message: `template error: ${(error as Error).message}`, line: null };
    }
    if (options.rawPrompt) return { ok: true, prompt: body };
    const parts = [
      preamble(request),
      injectedContext(request),
      injectedSection("Injected context", injected.context),
      body,
      injectedSection("Skills", injected.skill),
      injectedSection("Tools", injected.tool),
      checklist(request),
      completionSuffix(request),
    ];
    return {
      ok: true,
      prompt: parts.filter((part): part is string => part !== null && part !== "").join("\n\n"),
    };
  }
}
