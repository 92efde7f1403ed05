// The plain loop the orchestration figures are set against, in a small process of its own: the
// test process grows while it takes in thousands of events, and a fork from a bigger process
// costs more, so a loop run there would get slower as the run goes on and flatter Podium.
// Asked over IPC for stages of [count, concurrency]; answers with its wall time and CPU.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

function spawnTrue() {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", "true"], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
}

/** `count` spawns of `bash -c true`, at most `concurrency` at once. */
async function spawnLoop(count, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      await spawnTrue();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

process.on("message", async ({ stages }) => {
  try {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const [count, concurrency] of stages) await spawnLoop(count, concurrency);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    process.send({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  } catch (error) {
    process.send({ error: String(error) });
  }
});
