/**
 * Runs score-provided code — Jinja templates and regular expressions — away from the event loop
 * (worker.mjs), each job under an instruction budget, an output budget and a wall-clock budget.
 * A thread that overruns its time is terminated and replaced; the job fails with a typed error.
 */
import { Worker } from "node:worker_threads";

export interface SandboxLimits {
  /** Wall-clock budget of one job, from when the worker receives it. */
  timeoutMs: number;
  /** minijinja instructions one render may execute; null = no instruction budget. */
  fuel: number | null;
  /** Longest rendered text, in characters. */
  maxOutputChars: number;
  /** Worker threads; jobs beyond them wait in order. */
  threads: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  timeoutMs: 5_000,
  fuel: 20_000_000,
  maxOutputChars: 4 * 1024 * 1024,
  threads: 2,
};

export type SandboxErrorKind = "syntax_or_render" | "budget" | "timeout" | "crashed";

export class SandboxError extends Error {
  override name = "SandboxError";
  constructor(
    message: string,
    readonly kind: SandboxErrorKind,
    readonly line: number | null,
  ) {
    super(message);
  }
}

interface RenderJob {
  kind: "render";
  name: string;
  template: string;
  context: Record<string, unknown>;
}
interface RegexJob {
  kind: "regex";
  source: string;
  flags: number;
  text: string;
}
type Job = RenderJob | RegexJob;

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  message?: string;
  line?: number | null;
  budget?: boolean;
  fatal?: boolean;
}

interface Pending {
  id: number;
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: SandboxError) => void;
}

/** Loading the engine into a new thread; not part of any job's budget. */
const BOOT_TIMEOUT_MS = 60_000;

class SandboxThread {
  #worker: Worker | null = null;
  #ready = false;
  #current: { pending: Pending; timer: NodeJS.Timeout | null } | null = null;

  constructor(
    readonly limits: SandboxLimits,
    readonly onIdle: () => void,
  ) {}

  get busy(): boolean {
    return this.#current !== null;
  }

  run(pending: Pending): void {
    this.#current = { pending, timer: null };
    this.#ensureWorker();
    if (this.#ready) this.#send();
    else
      this.#current.timer = setTimeout(() => {
        this.#finish(new SandboxError("the sandbox thread did not start", "crashed", null));
        this.#replaceWorker();
      }, BOOT_TIMEOUT_MS);
  }

  #send(): void {
    const current = this.#current;
    if (!current || !this.#worker) return;
    if (current.timer) clearTimeout(current.timer);
    const { pending } = current;
    current.timer = setTimeout(() => {
      this.#finish(
        new SandboxError(
          `${describe(pending.job)} did not finish within ${this.limits.timeoutMs} ms and was stopped`,
          "timeout",
          null,
        ),
      );
      this.#replaceWorker();
    }, this.limits.timeoutMs);
    const budgets = { fuel: this.limits.fuel, maxOutputChars: this.limits.maxOutputChars };
    this.#worker.postMessage({ id: pending.id, ...pending.job, ...budgets });
  }

  close(): Promise<number> | undefined {
    const worker = this.#worker;
    this.#worker = null;
    return worker?.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./worker.mjs", import.meta.url));
    this.#ready = false;
    // Idle workers must not keep the process alive on shutdown.
    worker.unref();
    worker.on("message", (reply: Reply | { ready: true }) => {
      if (this.#worker === worker) this.#onReply(reply);
    });
    worker.on("error", (error) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#ready = false;
      this.#finish(new SandboxError(`sandbox thread failed: ${error.message}`, "crashed", null));
    });
    worker.on("exit", () => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#ready = false;
      this.#finish(new SandboxError("sandbox thread exited", "crashed", null));
    });
    this.#worker = worker;
    return worker;
  }

  #replaceWorker(): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = false;
    void worker?.terminate();
  }

  #onReply(reply: Reply | { ready: true }): void {
    if ("ready" in reply) {
      this.#ready = true;
      this.#send();
      return;
    }
    if (!this.#current || this.#current.pending.id !== reply.id) return;
    if (reply.ok) {
      this.#finish(null, reply.value);
      return;
    }
    // Wasm memory never shrinks and a panic corrupts the instance: start afresh after either.
    if (reply.budget || reply.fatal) this.#replaceWorker();
    this.#finish(
      new SandboxError(
        reply.message ?? "unknown error",
        reply.budget ? "budget" : reply.fatal ? "crashed" : "syntax_or_render",
        reply.line ?? null,
      ),
    );
  }

  #finish(error: SandboxError | null, value?: unknown): void {
    const current = this.#current;
    if (!current) return;
    if (current.timer) clearTimeout(current.timer);
    this.#current = null;
    if (error) current.pending.reject(error);
    else current.pending.resolve(value);
    this.onIdle();
  }
}

function describe(job: Job): string {
  return job.kind === "render" ? `template ${job.name}` : "regular expression match";
}

/**
 * Text minijinja renders as itself: no delimiter of a tag, an expression or a comment, and no
 * lone surrogate (the WebAssembly side would turn it into U+FFFD).
 */
const JINJA_DELIMITER = /\{[{%#]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function rendersAsItself(template: string): boolean {
  return !JINJA_DELIMITER.test(template) && !LONE_SURROGATE.test(template);
}

export interface SandboxOptions {
  /**
   * Templates without Jinja syntax are answered at once, without the round trip to a thread
   * (most `cli` scripts and many prompts). Off only to compare both paths.
   */
  inlinePlainText?: boolean;
}

export class ScoreSandbox {
  readonly limits: SandboxLimits;
  #threads: SandboxThread[];
  #queue: Pending[] = [];
  #nextId = 1;
  readonly #inlinePlainText: boolean;

  constructor(limits: Partial<SandboxLimits> = {}, options: SandboxOptions = {}) {
    this.limits = { ...DEFAULT_SANDBOX_LIMITS, ...limits };
    this.#inlinePlainText = options.inlinePlainText ?? true;
    this.#threads = Array.from(
      { length: Math.max(1, this.limits.threads) },
      () => new SandboxThread(this.limits, () => this.#pump()),
    );
  }

  /**
   * Renders `template` (named `name` in errors) with `context`. Keys that read as integers are
   * integers in the template, as in Python (`previous_outputs[1]`).
   */
  render(name: string, template: string, context: Record<string, unknown>): Promise<string> {
    if (this.#inlinePlainText && rendersAsItself(template)) {
      if (template.length > this.limits.maxOutputChars)
        return Promise.reject(
          new SandboxError(
            outputOverBudget(template.length, this.limits.maxOutputChars),
            "budget",
            null,
          ),
        );
      return Promise.resolve(template);
    }
    return this.#submit({
      kind: "render",
      name,
      template,
      context: plainValues(context),
    }) as Promise<string>;
  }

  /** Whether RE2 syntax `source` (flags: re2js bit set) finds a match in `text`. */
  regexFinds(source: string, flags: number, text: string): Promise<boolean> {
    return this.#submit({ kind: "regex", source, flags, text }) as Promise<boolean>;
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.close()));
  }

  #submit(job: Job): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    for (const thread of this.#threads) {
      if (this.#queue.length === 0) return;
      if (!thread.busy) thread.run(this.#queue.shift()!);
    }
  }
}

/** Worded as the thread words it (worker.mjs). */
function outputOverBudget(length: number, budget: number): string {
  return `rendered text is ${length} characters, over the budget of ${budget}`;
}

/** Only data crosses into the sandbox: functions, symbols and class instances are dropped. */
function plainValues(context: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
}

let shared: ScoreSandbox | null = null;

/** The process's sandbox, started on first use. */
export function sharedSandbox(): ScoreSandbox {
  shared ??= new ScoreSandbox();
  return shared;
}
