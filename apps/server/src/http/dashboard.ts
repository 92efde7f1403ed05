/**
 * The dashboard's production build (`next build` with `output: "export"`, in apps/web/out),
 * served by the API server on its own origin. HTML pages are read once at start, each with a
 * Content-Security-Policy listing the hashes of its inline scripts; everything else is a file
 * served by sirv, with hashed assets under /_next/static/ cached for good.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import sirv from "sirv";
import { dashboardPolicy, inlineScriptHashes } from "./page-headers.ts";
import { pathnameOf, redirect, sendText, type NodeHandler } from "./routes.ts";

interface Page {
  body: Buffer;
  etag: string;
  policy: string;
}

export interface DashboardGate {
  /** Host allowed, answering 403 itself when not. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Whether this request may see dashboard pages (token not required, or a session). */
  signedIn(req: IncomingMessage): boolean;
}

/** Pages anyone may load: the login form (and the not-found page). */
const PUBLIC_PAGES = new Set(["/login", "/404"]);

const HASHED_ASSETS = "/_next/static/";

function htmlFiles(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...htmlFiles(path.join(dir, entry.name), relative));
    else if (entry.name.endsWith(".html")) found.push(relative);
  }
  return found;
}

/** `index.html` -> `/`, `new.html` -> `/new`, `a/index.html` -> `/a`. */
function routeOf(file: string): string {
  const withoutExtension = file.slice(0, -".html".length);
  const route = `/${withoutExtension.replace(/(^|\/)index$/, "")}`;
  return route.length > 1 && route.endsWith("/") ? route.slice(0, -1) : route;
}

function loadPages(dir: string): Map<string, Page> {
  const pages = new Map<string, Page>();
  for (const file of htmlFiles(dir)) {
    const body = readFileSync(path.join(dir, file));
    pages.set(routeOf(file), {
      body,
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
      policy: dashboardPolicy(inlineScriptHashes(body.toString("utf8"))),
    });
  }
  return pages;
}

/** Links of the path-style routes the dashboard used to have, which now carry ids in the query. */
function legacyLocation(pathname: string): string | null {
  const sheet = /^\/jobs\/([^/]+)\/sheets\/(\d+)\/?$/.exec(pathname);
  if (sheet) return `/sheet?job=${sheet[1]}&num=${sheet[2]}`;
  const job = /^\/jobs\/([^/]+)\/?$/.exec(pathname);
  if (job) return `/job?id=${job[1]}`;
  return null;
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: Page, status = 200): void {
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    etag: page.etag,
    "content-security-policy": page.policy,
  };
  if (status === 200 && req.headers["if-none-match"] === page.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, "content-length": page.body.length });
  res.end(req.method === "HEAD" ? undefined : page.body);
}

export function serveDashboard(dir: string, gate: DashboardGate): NodeHandler {
  if (!existsSync(path.join(dir, "index.html"))) {
    return (req, res) => {
      if (!gate.admit(req, res)) return;
      sendText(
        res,
        503,
        `The dashboard is not built (no ${path.join(dir, "index.html")}): run \`npm run setup\`, ` +
          "or `npm start`, which builds it. GraphQL answers at /graphql meanwhile.",
      );
    };
  }
  const pages = loadPages(dir);
  const notFound = pages.get("/404") ?? null;
  const files = sirv(dir, {
    etag: true,
    extensions: [],
    setHeaders(res, pathname) {
      res.setHeader(
        "cache-control",
        pathname.startsWith(HASHED_ASSETS) ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });

  return (req, res) => {
    if (!gate.admit(req, res)) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendText(res, 405, `${req.method} is not allowed here`);
      return;
    }
    const pathname = pathnameOf(req);
    const legacy = legacyLocation(pathname);
    if (legacy) return redirect(res, legacy);
    const page = pages.get(pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname);
    if (page) {
      if (!PUBLIC_PAGES.has(pathname) && !gate.signedIn(req)) {
        const next = new URL(req.url ?? "/", "http://localhost");
        return redirect(res, `/login?next=${encodeURIComponent(next.pathname + next.search)}`);
      }
      return sendPage(req, res, page);
    }
    files(req, res, () => {
      if (notFound) sendPage(req, res, notFound, 404);
      else sendText(res, 404, "Not found");
    });
  };
}
