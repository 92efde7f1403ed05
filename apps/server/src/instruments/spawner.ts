/**
 * Starts processes through the spawner helper (spawner-helper.mjs), a small long-lived Node
 * process, so that the server never forks itself: a fork copies the page tables of a process of
 * hundreds of MiB and blocks the event loop while it does. The helper relays each child's
 * output and exit over IPC. If the helper dies, every run it had started is reported ended (and
 * its group killed, since its output is lost) and the next spawn starts a new helper. If the
 * server dies, even by SIGKILL, the helper kills every run's group and marked descendants.
 */
import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
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

class SpawnerHelper {
  private helper: ChildProcess | null = null;
  /**
   * The environment the helper last received: a spawn with the same one does not send it again
   * (it is most of a request's bytes, and nearly every run of an instrument has the same one).
   */
  private helperEnv: NodeJS.ProcessEnv | null = null;
  private readonly runs = new Map<number, Run>();
  private nextId = 1;

  spawn(request: SpawnRequest): Promise<SpawnedProcess> {
    const helper = this.ensureHelper();
    const id = this.nextId++;
    return new Promise<SpawnedProcess>((started, failed) => {
      this.runs.set(id, {
        started,
        failed,
        child: null,
        exit: () => undefined,
        exitedAlready: false,
      });
      this.hold();
      const { env, envPerRun, ...rest } = request;
      const resend = this.helperEnv === null || !sameEnv(env, this.helperEnv);
      if (resend) this.helperEnv = { ...env };
      helper.send({
        type: "spawn",
        id,
        ...rest,
        args: [...request.args],
        env: resend ? env : null,
        envPerRun: envPerRun ?? null,
      });
    });
  }

  private ensureHelper(): ChildProcess {
    if (this.helper !== null && this.helper.connected) return this.helper;
    const helper = fork(HELPER, [], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
      // Not under the server's loaders or inspector flags: a plain, small Node.
      execArgv: [],
      // A group of its own: a signal to the server's group (Ctrl-C, a kill of the group) does not
      // end the helper with the server, so it outlives it long enough to end the runs (it does
      // when the server's end closes the IPC channel).
      detached: true,
    });
    helper.on("message", (message: HelperMessage) => this.onMessage(message));
    helper.once("exit", () => this.onHelperGone(helper));
    helper.on("error", () => this.onHelperGone(helper));
    helper.unref();
    helper.channel?.unref();
    this.helper = helper;
    this.helperEnv = null;
    return helper;
  }

  private onMessage(message: HelperMessage): void {
    const run = this.runs.get(message.id);
    if (run === undefined) return;
    switch (message.type) {
      case "spawned": {
        const child = new StickyChild(message.pid);
        run.child = child;
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
          (resolve) => (run.exit = resolve),
        );
        run.started({ child, startedAt: message.startedAt, exited });
        return;
      }
      case "error": {
        this.forget(message.id);
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
        this.forget(message.id);
        // After the caller's continuation of `spawn` (microtasks) has attached its listeners.
        if (run.child !== null) setImmediate(closeWhenRead, run.child);
        return;
    }
  }

  /** The helper died: its runs are over, and their groups must not run on unobserved. */
  private onHelperGone(helper: ChildProcess): void {
    if (this.helper !== helper) return;
    this.helper = null;
    for (const [id, run] of this.runs) {
      this.forget(id);
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

  private forget(id: number): void {
    if (this.runs.delete(id)) this.release();
  }

  /**
   * The helper and its channel never keep the server alive by themselves; while something runs,
   * a timer does (toggling the IPC channel's own ref is not reliable across Node versions).
   */
  private keepAlive: NodeJS.Timeout | null = null;

  private hold(): void {
    this.keepAlive ??= setInterval(() => undefined, 60_000);
  }

  private release(): void {
    if (this.runs.size > 0 || this.keepAlive === null) return;
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

const shared = new SpawnerHelper();

export function spawnThroughHelper(request: SpawnRequest): Promise<SpawnedProcess> {
  return shared.spawn(request);
}
