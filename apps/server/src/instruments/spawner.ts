/**
 * Starts processes through spawner helpers (spawner-helper.mjs), small long-lived Node processes,
 * so that the server never forks itself: a fork copies the page tables of a process of hundreds
 * of MiB and blocks the event loop while it does. A second helper starts when spawns queue (see
 * MAX_HELPERS). Requests and relayed output, exits and closes travel in one IPC message per turn
 * of the event loop. If a helper dies, every run it had started is reported ended (and its group
 * killed, since its output is lost) and the next spawn starts a new helper. If the server dies,
 * even by SIGKILL, each helper kills every run's group and marked descendants.
 */
import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { availableParallelism } from "node:os";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";

const HELPER = fileURLToPath(new URL("./spawner-helper.mjs", import.meta.url));

export interface SpawnRequest {
  executable: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Laid over `env`: the few values that differ on every run (such as the run's process mark),
   * sent apart so that the unchanging rest is not sent again with each spawn.
   */
  envPerRun?: Record<string, string>;
  stdin: string | null;
}

/** The parts of a child process the runs use: its output, its end, and its pid. */
export interface RelayedChild extends EventEmitter {
  pid: number;
  stdout: PassThrough;
  stderr: PassThrough;
}

export interface SpawnedProcess {
  child: RelayedChild;
  startedAt: string | null;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Relayed messages can arrive together (spawned, exit and close of a quick process in one read),
 * before the caller of `spawn` has attached its listeners: "exit" and "close" are therefore
 * sticky, and a listener added after the fact is called at once.
 */
type Listener = Parameters<EventEmitter["on"]>[1];

class StickyChild extends EventEmitter implements RelayedChild {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private readonly happened = new Map<string, unknown[]>();

  constructor(readonly pid: number) {
    super();
  }

  settle(event: "exit" | "close", ...args: unknown[]): void {
    if (this.happened.has(event)) return;
    this.happened.set(event, args);
    this.emit(event, ...args);
  }

  override on(event: string | symbol, listener: Listener): this {
    const past = typeof event === "string" ? this.happened.get(event) : undefined;
    if (past !== undefined) {
      queueMicrotask(() => (listener as (...args: unknown[]) => void)(...past));
      return this;
    }
    return super.on(event, listener);
  }

  override once(event: string | symbol, listener: Listener): this {
    const past = typeof event === "string" ? this.happened.get(event) : undefined;
    if (past !== undefined) {
      queueMicrotask(() => (listener as (...args: unknown[]) => void)(...past));
      return this;
    }
    return super.once(event, listener);
  }
}

type HelperMessage =
  | { type: "spawned"; id: number; pid: number; startedAt: string | null }
  | { type: "error"; id: number; code: string | null; message: string }
  | { type: "out"; id: number; stream: 1 | 2; data: Uint8Array }
  | { type: "exit"; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: "close"; id: number };

interface Run {
  started(value: SpawnedProcess): void;
  failed(error: Error): void;
  child: StickyChild | null;
  exit(value: { code: number | null; signal: NodeJS.Signals | null }): void;
  exitedAlready: boolean;
}

/** Same variables with the same values. */
function sameEnv(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key] || !Object.hasOwn(b, key)) return false;
  return true;
}

/**
 * A fork blocks the forking process until the child has exec'd (a few ms on a busy machine), so
 * one helper starts processes one at a time. When every helper is busy starting one, another
 * helper is started, up to this many; they stay for the server's life (a few tens of MiB each).
 */
export const MAX_HELPERS = Math.max(2, Math.min(4, availableParallelism()));

/** One helper process, the runs it started, and the requests not yet sent to it. */
class Helper {
  readonly process: ChildProcess;
  readonly runs = new Map<number, Run>();
  /** Requests sent whose process has not started (or failed to) yet. */
  starting = 0;
  /**
   * The environment the helper last received: a spawn with the same one does not send it again
   * (it is most of a request's bytes, and nearly every run of an instrument has the same one).
   */
  private env: NodeJS.ProcessEnv | null = null;
  /** Requests of this turn of the event loop, sent together in one message. */
  private outbox: object[] = [];

  constructor(onMessages: (helper: Helper, messages: HelperMessage[]) => void, onGone: () => void) {
    this.process = fork(HELPER, [], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
      // Not under the server's loaders or inspector flags: a plain, small Node.
      execArgv: [],
      // A group of its own: a signal to the server's group (Ctrl-C, a kill of the group) does not
      // end the helper with the server, so it outlives it long enough to end the runs (it does
      // when the server's end closes the IPC channel).
      detached: true,
    });
    this.process.on("message", (messages: HelperMessage[]) => onMessages(this, messages));
    this.process.once("exit", onGone);
    this.process.on("error", onGone);
    this.process.unref();
    this.process.channel?.unref();
  }

  get usable(): boolean {
    return this.process.connected;
  }

  send(id: number, request: SpawnRequest): void {
    const { env, envPerRun, ...rest } = request;
    const resend = this.env === null || !sameEnv(env, this.env);
    if (resend) this.env = { ...env };
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push({
      type: "spawn",
      id,
      ...rest,
      args: [...request.args],
      env: resend ? env : null,
      envPerRun: envPerRun ?? null,
    });
    this.starting += 1;
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (this.process.connected) this.process.send(batch);
  }
}

class SpawnerHelpers {
  private helpers: Helper[] = [];
  private nextId = 1;
  private running = 0;

  spawn(request: SpawnRequest): Promise<SpawnedProcess> {
    const helper = this.pickHelper();
    const id = this.nextId++;
    return new Promise<SpawnedProcess>((started, failed) => {
      helper.runs.set(id, {
        started,
        failed,
        child: null,
        exit: () => undefined,
        exitedAlready: false,
      });
      this.running += 1;
      this.hold();
      helper.send(id, request);
    });
  }

  /** The helper with the fewest processes starting; a new one if each is starting one already. */
  private pickHelper(): Helper {
    // One that is going away stays listed until its end has ended its runs (onHelperGone).
    const usable = this.helpers.filter((helper) => helper.usable);
    let best: Helper | null = null;
    for (const helper of usable)
      if (best === null || helper.starting < best.starting) best = helper;
    if (best !== null && (best.starting === 0 || usable.length >= MAX_HELPERS)) return best;
    const helper = new Helper(
      (from, messages) => {
        for (const message of messages) this.onMessage(from, message);
      },
      () => this.onHelperGone(helper),
    );
    this.helpers.push(helper);
    return helper;
  }

  private onMessage(helper: Helper, message: HelperMessage): void {
    const run = helper.runs.get(message.id);
    if (run === undefined) return;
    switch (message.type) {
      case "spawned": {
        helper.starting -= 1;
        const child = new StickyChild(message.pid);
        run.child = child;
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
          (resolve) => (run.exit = resolve),
        );
        run.started({ child, startedAt: message.startedAt, exited });
        return;
      }
      case "error": {
        helper.starting -= 1;
        this.forget(helper, message.id);
        const error = Object.assign(new Error(message.message), {
          code: message.code ?? undefined,
        });
        run.failed(error);
        return;
      }
      case "out": {
        const stream = message.stream === 1 ? run.child?.stdout : run.child?.stderr;
        if (stream && !stream.destroyed) stream.write(Buffer.from(message.data));
        return;
      }
      case "exit":
        run.exitedAlready = true;
        // Output relayed before the exit sits in the streams until their readers flow (on a
        // later tick): the exit is told after it, so a caller that awaits `exited` has it all.
        setImmediate(() => {
          run.exit({ code: message.code, signal: message.signal });
          run.child?.settle("exit", message.code, message.signal);
        });
        return;
      case "close":
        this.forget(helper, message.id);
        // After the caller's continuation of `spawn` (microtasks) has attached its listeners.
        if (run.child !== null) setImmediate(closeWhenRead, run.child);
        return;
    }
  }

  /** A helper died: its runs are over, and their groups must not run on unobserved. */
  private onHelperGone(helper: Helper): void {
    if (!this.helpers.includes(helper)) return;
    this.helpers = this.helpers.filter((other) => other !== helper);
    for (const [id, run] of helper.runs) {
      this.forget(helper, id);
      if (run.child === null) {
        run.failed(new Error("the spawner helper ended before the process started"));
        continue;
      }
      try {
        process.kill(-run.child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      if (!run.exitedAlready) run.exit({ code: null, signal: "SIGKILL" });
      run.child.settle("exit", null, "SIGKILL");
      setImmediate(closeWhenRead, run.child);
    }
  }

  private forget(helper: Helper, id: number): void {
    if (!helper.runs.delete(id)) return;
    this.running -= 1;
    this.release();
  }

  /**
   * The helpers and their channels never keep the server alive by themselves; while something
   * runs, a timer does (toggling the IPC channel's own ref is not reliable across Node versions).
   */
  private keepAlive: NodeJS.Timeout | null = null;

  private hold(): void {
    this.keepAlive ??= setInterval(() => undefined, 60_000);
  }

  private release(): void {
    if (this.running > 0 || this.keepAlive === null) return;
    clearInterval(this.keepAlive);
    this.keepAlive = null;
  }
}

/**
 * As with a real child process, "close" comes once its output streams are closed: read to the
 * end (or destroyed) by the caller, so no output relayed before is lost.
 */
function closeWhenRead(child: StickyChild): void {
  let open = 2;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream.closed) open -= 1;
    else stream.once("close", () => (open -= 1) === 0 && child.settle("close"));
    if (!stream.writableEnded) stream.end();
    // Output nobody listens to is discarded, not waited for.
    if (stream.listenerCount("data") === 0 && stream.listenerCount("readable") === 0)
      stream.resume();
  }
  if (open === 0) child.settle("close");
}

const shared = new SpawnerHelpers();

export function spawnThroughHelper(request: SpawnRequest): Promise<SpawnedProcess> {
  return shared.spawn(request);
}
