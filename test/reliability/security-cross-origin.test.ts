/**
 * A web page on another origin cannot make a local Podium run anything. A real Chromium loads a
 * page from a second local HTTP server; the page tries every way a browser lets a foreign page
 * reach a local server: fetch() POST with JSON (preflighted) and with text/plain (no preflight),
 * a form POST (text/plain and urlencoded) into a hidden frame, a GET mutation, and a WebSocket
 * that speaks graphql-ws. Afterwards no job exists. The control: the same page served from an
 * origin Podium lists (the dashboard's) does create jobs, so the attacks are real.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from "./support/browser.ts";
import { query } from "./support/client.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

if (!chromiumAvailable) {
  console.warn(
    `security-cross-origin: NOT RUN, no Chromium at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH)`,
  );
}

const SCORE =
  'name: NAME\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: "echo pwned > pwned.txt"}\n';

/** The attacker's page: every attempt names its job after itself, and reports what it saw. */
function attackPage(podiumUrl: string): string {
  const wsUrl = podiumUrl.replace(/^http/, "ws");
  return `<!doctype html><html><body>
<iframe name="sink" style="display:none"></iframe>
<form id="plain" method="POST" enctype="text/plain" target="sink" action="${podiumUrl}"></form>
<form id="urlencoded" method="POST" target="sink" action="${podiumUrl}"><input type="hidden" name="query"></form>
<script>
const podium = ${JSON.stringify(podiumUrl)};
const scoreFor = (name) => ${JSON.stringify(SCORE)}.replace("NAME", name);
const mutation = "mutation($input: SubmitJobInput!) { submitJob(input: $input) { __typename } }";
const inline = (name) => "mutation { submitJob(input: {score: " + JSON.stringify(scoreFor(name)) + "}) { __typename } }";
const results = {};
const note = (name, value) => { results[name] = String(value).slice(0, 300); };
async function attack() {
  const body = (name) => JSON.stringify({ query: mutation, variables: { input: { score: scoreFor(name) } } });
  await fetch(podium, { method: "POST", headers: { "content-type": "application/json" }, body: body("attack-fetch-json") })
    .then((r) => r.text().then((t) => note("fetch-json", r.status + " " + t)), (e) => note("fetch-json", "blocked: " + e));
  await fetch(podium, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: body("attack-fetch-text-plain") })
    .then((r) => note("fetch-text-plain", "sent (opaque " + r.type + ")"), (e) => note("fetch-text-plain", "blocked: " + e));
  await fetch(podium, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "query=" + encodeURIComponent(inline("attack-fetch-urlencoded")) })
    .then((r) => note("fetch-urlencoded", "sent (opaque " + r.type + ")"), (e) => note("fetch-urlencoded", "blocked: " + e));
  await fetch(podium + "?query=" + encodeURIComponent(inline("attack-get")), { mode: "no-cors" })
    .then((r) => note("get", "sent (opaque " + r.type + ")"), (e) => note("get", "blocked: " + e));
  const plain = document.getElementById("plain");
  const field = document.createElement("input");
  const json = body("attack-form-text-plain");
  field.name = json.slice(0, -1) + ', "padding": "';
  field.value = '"}';
  plain.appendChild(field);
  plain.submit();
  await new Promise((r) => setTimeout(r, 700));
  const encoded = document.getElementById("urlencoded");
  encoded.querySelector("input").value = inline("attack-form-urlencoded");
  encoded.submit();
  await new Promise((r) => setTimeout(r, 700));
  note("forms", "submitted");
  await new Promise((resolve) => {
    let socket;
    try { socket = new WebSocket(${JSON.stringify(wsUrl)}, "graphql-transport-ws"); } catch (e) { note("websocket", "blocked: " + e); return resolve(); }
    const done = (what) => { note("websocket", what); resolve(); };
    const timer = setTimeout(() => done("no answer"), 4000);
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: mutation, variables: { input: { score: scoreFor("attack-websocket") } } } }));
      } else if (data.type === "next" || data.type === "error") { clearTimeout(timer); done("answered: " + message.data); }
    };
    socket.onclose = (event) => { clearTimeout(timer); done("closed " + event.code); };
    socket.onerror = () => undefined;
  });
  window.__done = results;
}
attack();
</script></body></html>`;
}

async function servePage(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!chromiumAvailable)("a page on another origin", () => {
  let podium: ServerProcess;
  const pages: Server[] = [];
  let friendlyOrigin = "";
  let evilOrigin = "";

  beforeAll(async () => {
    let podiumUrl = "";
    const friendly = await servePage(() => attackPage(podiumUrl));
    const evil = await servePage(() => attackPage(podiumUrl));
    pages.push(friendly.server, evil.server);
    friendlyOrigin = friendly.origin;
    evilOrigin = evil.origin;
    // The friendly origin plays the dashboard: Podium lists it. The evil one is just a local port.
    podium = await startServerProcess({ webOrigins: [friendlyOrigin] });
    podiumUrl = podium.url;
  });

  afterAll(async () => {
    for (const page of pages) await new Promise((resolve) => page.close(resolve));
    await podium?.stop();
    if (podium) removeDataDir(podium.dataDir);
  });

  async function jobNames(): Promise<string[]> {
    const data = await query<{ jobs: { edges: { node: { name: string } }[] } }>(
      { url: podium.url, wsUrl: podium.wsUrl },
      "{ jobs(first: 500) { edges { node { name } } } }",
    );
    return data.jobs.edges.map((edge) => edge.node.name).sort();
  }

  async function runPage(origin: string): Promise<Record<string, string>> {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(
        () => (window as unknown as { __done?: unknown }).__done !== undefined,
        undefined,
        { timeout: 30_000 },
      );
      await page.waitForTimeout(1_000);
      return await page.evaluate(
        () => (window as unknown as { __done: Record<string, string> }).__done,
      );
    } finally {
      await browser.close();
    }
  }

  it("cannot create a job by fetch, form, GET or WebSocket", async () => {
    const results = await runPage(evilOrigin);
    console.log(`reliability cross-origin attempts from ${evilOrigin}: ${JSON.stringify(results)}`);
    expect(await jobNames()).toEqual([]);
    expect(results.websocket).not.toMatch(/^answered/);
    expect(results["fetch-json"]).not.toMatch(/SubmitJobSuccess/);
  });

  // DNS rebinding: evil.test first resolves to the attacker, then to 127.0.0.1. The attacker's
  // page, still on http://evil.test:<port>, now reaches Podium "same-origin": the browser sends
  // Origin and Host both naming evil.test. This is that request, byte for byte.
  it("cannot create a job through a DNS-rebound host name", async () => {
    const port = podium.port;
    const rebound = `evil.test:${port}`;
    const body = JSON.stringify({
      query: "mutation($input: SubmitJobInput!) { submitJob(input: $input) { __typename } }",
      variables: { input: { score: SCORE.replace("NAME", "attack-dns-rebinding"), dryRun: true } },
    });
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/graphql",
          method: "POST",
          headers: {
            host: rebound,
            origin: `http://${rebound}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
    expect(await jobNames(), `answered ${status}`).not.toContain("attack-dns-rebinding");
  });

  it("control: the same page from the dashboard's origin does create jobs", async () => {
    const results = await runPage(friendlyOrigin);
    console.log(
      `reliability cross-origin control from ${friendlyOrigin}: ${JSON.stringify(results)}`,
    );
    const names = await jobNames();
    expect(names).toContain("attack-fetch-json");
    expect(names).toContain("attack-websocket");
  });
});
