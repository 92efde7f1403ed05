// `npm start`: set up whatever is missing, then run the GraphQL server and the dashboard.
// Ctrl-C (or SIGTERM) stops both, with every process they started.
import path from "node:path";
import { ROOT, killGroup, log, setup, spawnGroup } from "./lib.mjs";

const port = process.env.PORT ?? "4000";
const webPort = process.env.WEB_PORT ?? "3000";
const host = process.env.HOST ?? "127.0.0.1";
const browserHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
const serverUrl = process.env.PODIUM_URL ?? `http://${browserHost}:${port}/graphql`;

setup({ web: true });

const env = {
  ...process.env,
  PORT: port,
  HOST: host,
  WEB_PORT: webPort,
  PODIUM_URL: serverUrl,
  PODIUM_WEB_ORIGIN:
    process.env.PODIUM_WEB_ORIGIN ?? `http://${browserHost}:${webPort},http://localhost:${webPort}`,
  DATABASE_URL: process.env.DATABASE_URL ?? `file:${path.join(ROOT, "data", "podium.db")}`,
  PODIUM_DATA_DIR: process.env.PODIUM_DATA_DIR ?? path.join(ROOT, "data"),
};

const children = [
  spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: path.join(ROOT, "apps/server"),
    env,
  }),
  spawnGroup(
    path.join(ROOT, "apps/web/node_modules/.bin/next"),
    ["start", "-p", webPort, "-H", host],
    {
      cwd: path.join(ROOT, "apps/web"),
      env,
    },
  ),
];

log(`GraphQL and GraphiQL: ${serverUrl}`);
log(`dashboard: http://${browserHost}:${webPort}`);

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) killGroup(child, "SIGTERM");
  const force = setTimeout(() => children.forEach((child) => killGroup(child, "SIGKILL")), 5_000);
  force.unref();
  Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once("exit", resolve);
        }),
    ),
  ).then(() => process.exit(code));
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
for (const child of children) {
  child.once("exit", (code, signal) => {
    if (stopping) return;
    log(`a process exited (${code ?? signal}); stopping the other`);
    stop(code ?? 1);
  });
}
