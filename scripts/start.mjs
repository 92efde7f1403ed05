// `npm start`: set up whatever is missing (the dashboard build only when apps/web changed), then
// run the server, which serves GraphQL, GraphiQL and the dashboard on one port.
// With WEB_PORT set, `next dev` (hot reload) also runs on that port and forwards /graphql to the
// server. Ctrl-C (or SIGTERM) stops everything, with every process it started.
import path from "node:path";
import { ROOT, killGroup, log, setup, spawnGroup } from "./lib.mjs";

const port = process.env.PORT ?? "4000";
const host = process.env.HOST ?? "127.0.0.1";
const devWebPort = process.env.WEB_PORT?.trim() || null;
const browserHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
const urlHost = browserHost.includes(":") ? `[${browserHost}]` : browserHost;
const origin = `http://${urlHost}:${port}`;

setup({ web: devWebPort === null });

const devOrigins = devWebPort
  ? [`http://127.0.0.1:${devWebPort}`, `http://localhost:${devWebPort}`]
  : [];
const env = {
  ...process.env,
  PORT: port,
  HOST: host,
  PODIUM_WEB_ORIGIN: [process.env.PODIUM_WEB_ORIGIN, ...devOrigins].filter(Boolean).join(","),
  DATABASE_URL: process.env.DATABASE_URL ?? `file:${path.join(ROOT, "data", "podium.db")}`,
  PODIUM_DATA_DIR: process.env.PODIUM_DATA_DIR ?? path.join(ROOT, "data"),
};

const children = [
  spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: path.join(ROOT, "apps/server"),
    env,
  }),
];
if (devWebPort) {
  const { PORT: _serverPort, ...devEnv } = env;
  children.push(
    spawnGroup(
      path.join(ROOT, "apps/web/node_modules/.bin/next"),
      ["dev", "-p", devWebPort, "-H", host],
      { cwd: path.join(ROOT, "apps/web"), env: { ...devEnv, PODIUM_URL: `${origin}/graphql` } },
    ),
  );
}

log(`dashboard: ${origin}/`);
log(`GraphQL and GraphiQL: ${origin}/graphql`);
if (devWebPort) log(`dashboard with hot reload (next dev): http://${urlHost}:${devWebPort}/`);

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
    log(`a process exited (${code ?? signal}); stopping the rest`);
    stop(code ?? 1);
  });
}
