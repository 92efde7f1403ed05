// The spawner helper: a small Node process that starts instrument and shell processes on the
// server's behalf (see spawner.ts). Forking copies the forking process's page tables, so a
// fork from the big server blocks its event loop for milliseconds; from here it costs little
// and blocks nobody. Plain JavaScript, so it starts without a TypeScript loader.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const EXIT_OUTPUT_GRACE_MS = 100;

/** Messages of one turn of the event loop go in one IPC message (one write, one wake-up). */
let outbox = [];

function flush() {
  const batch = outbox;
  outbox = [];
  if (process.connected) process.send(batch);
}

function send(message) {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(message);
}

function startTimeOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

// A request without an environment uses the one sent last (spawner.ts sends it once it changes).
let lastEnv = process.env;

/**
 * The groups of runs started here, and the per-run variables their descendants carry (a process
 * that left its group keeps its environment): all are ended when the server dies. A run stays
 * listed after its close while its group still has members (helpers it left behind).
 */
const live = new Map();

function groupExists(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

let lingeringCheck = null;

function forgetWhenGroupGone(id) {
  const run = live.get(id);
  if (run === undefined) return;
  if (!groupExists(run.pgid)) {
    live.delete(id);
    return;
  }
  run.closed = true;
  lingeringCheck ??= setInterval(() => {
    for (const [key, entry] of live) if (entry.closed && !groupExists(entry.pgid)) live.delete(key);
    if (![...live.values()].some((entry) => entry.closed)) {
      clearInterval(lingeringCheck);
      lingeringCheck = null;
    }
  }, 1_000);
  lingeringCheck.unref();
}

function start({ id, executable, args, cwd, env: sentEnv, envPerRun, stdin }) {
  if (sentEnv !== null) lastEnv = sentEnv;
  const env = envPerRun === null ? lastEnv : { ...lastEnv, ...envPerRun };
  let child;
  try {
    child = spawn(executable, args, {
      cwd,
      env,
      detached: true,
      // No stdin to write: /dev/null, not a socket (bash would read ~/.bashrc for a socket).
      stdio: [stdin === null ? "ignore" : "pipe", "pipe", "pipe"],
    });
  } catch (error) {
    send({ type: "error", id, code: error.code ?? null, message: error.message });
    return;
  }
  child.once("error", (error) => {
    if (child.pid === undefined)
      send({ type: "error", id, code: error.code ?? null, message: error.message });
  });
  child.once("spawn", () => {
    live.set(id, {
      pgid: child.pid,
      marks: Object.entries(envPerRun ?? {}).map(([name, value]) => `${name}=${value}`),
      closed: false,
    });
    send({ type: "spawned", id, pid: child.pid, startedAt: startTimeOf(child.pid) });
    if (stdin !== null) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin);
    }
  });
  child.stdout.on("data", (data) => send({ type: "out", id, stream: 1, data }));
  child.stderr.on("data", (data) => send({ type: "out", id, stream: 2, data }));
  // "exit" can come before the last output is read from the pipes: relay it once both streams
  // have ended, or after a short grace when a leftover process keeps one open (it is killed
  // with the group), so that no output written before the exit is lost.
  let ended = 0;
  let exitMessage = null;
  const sendExit = () => {
    if (exitMessage === null) return;
    send(exitMessage);
    exitMessage = null;
  };
  const onEnd = () => {
    ended += 1;
    if (ended === 2) sendExit();
  };
  child.stdout.once("end", onEnd);
  child.stderr.once("end", onEnd);
  child.once("exit", (code, signal) => {
    exitMessage = { type: "exit", id, code, signal };
    if (ended === 2) sendExit();
    else setTimeout(sendExit, EXIT_OUTPUT_GRACE_MS);
  });
  child.once("close", () => {
    forgetWhenGroupGone(id);
    sendExit();
    send({ type: "close", id });
  });
}

process.on("message", (batch) => {
  for (const message of batch) if (message?.type === "spawn") start(message);
});
/** Pids of the processes (this one aside) whose environment holds one of `marks` ("NAME=value"). */
function markedProcesses(marks) {
  if (marks.size === 0) return [];
  const found = [];
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue;
    }
    if (environ.split("\0").some((variable) => marks.has(variable))) found.push(Number(entry));
  }
  return found;
}

/** Grace a run gets to end on SIGTERM (saving its work, logging) before it is SIGKILLed. */
const END_GRACE_MS = 1_500;

function signal(target, name) {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false; // Already gone.
  }
}

function groupAlive(pgid) {
  return signal(-pgid, 0);
}

function pidAlive(pid) {
  return signal(pid, 0);
}

// The server is gone (killed, or exited without ending its runs): nobody reads the runs' output
// or waits for their end any more, so they end with it rather than run on unobserved: TERM
// first, as a cancel does, then KILL for what is left after the grace. The grace is shorter
// than any lease, so another process that takes the jobs over never meets a run of them.
process.on("disconnect", () => {
  const marks = new Set();
  const groups = [];
  for (const run of live.values()) {
    groups.push(run.pgid);
    for (const mark of run.marks) marks.add(mark);
  }
  const escaped = markedProcesses(marks);
  for (const pgid of groups) signal(-pgid, "SIGTERM");
  for (const pid of escaped) signal(pid, "SIGTERM");
  const deadline = Date.now() + END_GRACE_MS;
  const finish = () => {
    const groupsLeft = groups.filter(groupAlive);
    const escapedLeft = escaped.filter(pidAlive);
    if (groupsLeft.length + escapedLeft.length > 0 && Date.now() < deadline) {
      setTimeout(finish, 25);
      return;
    }
    for (const pgid of groupsLeft) signal(-pgid, "SIGKILL");
    for (const pid of escapedLeft) signal(pid, "SIGKILL");
    // Escapees started during the grace carry the marks too.
    for (const pid of markedProcesses(marks)) signal(pid, "SIGKILL");
    process.exit(0);
  };
  finish();
});
