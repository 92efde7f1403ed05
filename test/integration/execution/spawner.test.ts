/**
 * Processes start through the spawner helper, so the server never forks itself, and through a
 * second one when spawns queue. Output and exit are relayed to the right run; if a helper dies,
 * every run it started is reported ended with its group killed, and the next spawn starts a new
 * helper. Instrument shells never read ~/.bashrc.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_HELPERS } from "../../../apps/server/src/instruments/spawner.ts";
import {
  killGroup,
  livingGroupMembers,
  PROCESS_MARK_VARIABLE,
  spawnInGroup,
} from "../../../apps/server/src/instruments/process-group.ts";

const dir = mkdtempSync(path.join(tmpdir(), "podium-spawner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

async function outputOf(
  command: string,
  env: NodeJS.ProcessEnv,
  stdin: string | null = null,
): Promise<string> {
  const group = await spawnInGroup("bash", ["-c", command], { cwd: dir, env, stdin });
  let out = "";
  group.child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  await new Promise<void>((resolve) => group.child.once("close", () => resolve()));
  await killGroup(group.pgid);
  return out;
}

describe("the spawner helper", () => {
  it("starts the process in a group of its own, not as a child of the server", async () => {
    const group = await spawnInGroup("sleep", ["30"], { cwd: dir, env: process.env, stdin: null });
    try {
      expect(group.pgid).toBe(group.child.pid);
      expect(parentOf(group.child.pid)).not.toBe(process.pid);
      expect(group.startedAt).toMatch(/^\d+$/);
    } finally {
      await killGroup(group.pgid, 200);
    }
    expect(await group.exited).toEqual({ code: null, signal: "SIGTERM" });
  });

  it("relays stdin, stdout and the exit code of a quick process", async () => {
    const group = await spawnInGroup("bash", ["-c", "cat; echo err >&2; exit 3"], {
      cwd: dir,
      env: process.env,
      stdin: "through stdin\n",
    });
    let out = "";
    let err = "";
    group.child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    group.child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const closed = new Promise<void>((resolve) => group.child.once("close", () => resolve()));
    expect(await group.exited).toEqual({ code: 3, signal: null });
    await closed;
    expect([out, err]).toEqual(["through stdin\n", "err\n"]);
  });

  it("gives each process the environment it was asked for, sent or reused", async () => {
    const first = { PATH: process.env.PATH, PICK: "first" };
    const second = { PATH: process.env.PATH, PICK: "second", EXTRA: "x" };
    // Same number of variables as `first`, one of them unset: must not pass for `first`.
    const renamed = { PATH: process.env.PATH, OTHER: "first" };
    const show = 'echo "${PICK-unset} ${EXTRA-unset} ${OTHER-unset}"';
    expect(await outputOf(show, first)).toBe("first unset unset\n");
    expect(await outputOf(show, { ...first })).toBe("first unset unset\n");
    expect(await outputOf(show, second)).toBe("second x unset\n");
    expect(await outputOf(show, first)).toBe("first unset unset\n");
    expect(await outputOf(show, renamed)).toBe("unset unset first\n");
    expect(await outputOf(show, { PATH: process.env.PATH, PICK: undefined })).toBe(
      "unset unset unset\n",
    );
  });

  it("marks every run apart while the rest of its environment is reused", async () => {
    const env = { PATH: process.env.PATH, PICK: "same" };
    const show = `echo "$PICK $${PROCESS_MARK_VARIABLE}"`;
    const runs = [await outputOf(show, env), await outputOf(show, env), await outputOf(show, env)];
    const marks = runs.map((line) => line.trim().split(" "));
    expect(marks.map(([pick]) => pick)).toEqual(["same", "same", "same"]);
    expect(marks.every(([, mark]) => /^[0-9a-f-]{36}$/.test(mark ?? ""))).toBe(true);
    expect(new Set(marks.map(([, mark]) => mark)).size).toBe(3);
  });

  it("starts processes asked for together through more than one helper", async () => {
    const groups = await Promise.all(
      Array.from({ length: 6 }, () =>
        spawnInGroup("sleep", ["30"], { cwd: dir, env: process.env, stdin: null }),
      ),
    );
    try {
      const helpers = new Set(groups.map((group) => parentOf(group.child.pid)));
      expect(helpers.size).toBeGreaterThanOrEqual(2);
      expect(helpers.size).toBeLessThanOrEqual(MAX_HELPERS);
      expect(helpers.has(process.pid)).toBe(false);
    } finally {
      await Promise.all(groups.map((group) => killGroup(group.pgid, 200)));
    }
  });

  it("when one helper dies, the runs of another go on", async () => {
    const [doomed, survivor] = await Promise.all(
      [1, 2].map(() => spawnInGroup("sleep", ["30"], { cwd: dir, env: process.env, stdin: null })),
    );
    try {
      expect(parentOf(doomed!.child.pid)).not.toBe(parentOf(survivor!.child.pid));
      process.kill(parentOf(doomed!.child.pid), "SIGKILL");
      expect(await doomed!.exited).toEqual({ code: null, signal: "SIGKILL" });
      expect(livingGroupMembers(survivor!.pgid)).toEqual([survivor!.pgid]);
    } finally {
      await killGroup(survivor!.pgid, 200);
    }
    expect(await survivor!.exited).toEqual({ code: null, signal: "SIGTERM" });
  });

  it("relays the output and exit of many quick processes at once, each to its own run", async () => {
    const outputs = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        outputOf(`echo out-${index}; echo err-${index} >&2; exit $(( ${index} % 3 ))`, process.env),
      ),
    );
    expect(outputs).toEqual(Array.from({ length: 40 }, (_, index) => `out-${index}\n`));
  });

  it("reports a missing executable as a spawn error", async () => {
    await expect(
      spawnInGroup("no-such-executable-here", [], { cwd: dir, env: process.env, stdin: null }),
    ).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("when the helper dies, ends its runs, reports them, and starts a new helper", async () => {
    const group = await spawnInGroup("bash", ["-c", "sleep 30 & sleep 30"], {
      cwd: dir,
      env: process.env,
      stdin: null,
    });
    const helper = parentOf(group.child.pid);
    const closed = new Promise<void>((resolve) => group.child.once("close", () => resolve()));
    process.kill(helper, "SIGKILL");
    expect(await group.exited).toEqual({ code: null, signal: "SIGKILL" });
    await closed;
    for (let i = 0; i < 40 && livingGroupMembers(group.pgid).length > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(livingGroupMembers(group.pgid)).toEqual([]);

    expect(await outputOf("echo again", process.env)).toBe("again\n");
  });
});

describe("instrument shells", () => {
  it("never read ~/.bashrc, even with SHLVL unset and a socket as stdin", async () => {
    const home = path.join(dir, "home");
    const marker = path.join(dir, "bashrc-was-read");
    mkdirSync(home);
    writeFileSync(path.join(home, ".bashrc"), `touch ${marker}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.SHLVL;
    expect(await outputOf("echo ok", env)).toBe("ok\n");
    expect(await outputOf("cat", env, "from stdin\n")).toBe("from stdin\n");
    expect(await outputOf("echo ok", { ...env, SHLVL: "0" })).toBe("ok\n");
    expect(existsSync(marker), "~/.bashrc was sourced").toBe(false);
  });
});
