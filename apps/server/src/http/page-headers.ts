/**
 * Headers for the HTML the server sends (dashboard pages, the login page, GraphiQL): no page may
 * be framed, and scripts run only from this origin or, when inline, only if their hash is listed.
 * Hashes come from the files themselves, so nothing is injected into a page at request time.
 */
import { createHash } from "node:crypto";

const INLINE_SCRIPT = /<script\b(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/** `'sha256-…'` sources for every inline `<script>` of a page, in the order they appear. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    const body = match[1]!;
    if (body === "") continue;
    hashes.add(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
  }
  return [...hashes];
}

function policy(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(" "))
    .join("; ");
}

const NO_FRAMING = { "frame-ancestors": ["'none'"] };

/**
 * The dashboard: Next's own scripts from this origin plus its inline bootstrap scripts by hash;
 * styles may be inline (React writes `style` attributes, CodeMirror and React Flow add rules).
 */
export function dashboardPolicy(scriptHashes: readonly string[]): string {
  return policy({
    "default-src": ["'self'"],
    "script-src": ["'self'", ...scriptHashes],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    ...NO_FRAMING,
  });
}

/**
 * GraphiQL as @graphql-yoga/render-graphiql renders it: one large inline script (allowed by its
 * hash) that starts Monaco's workers from blob: URLs, inline styles and a data: favicon.
 */
export function graphiqlPolicy(scriptHashes: readonly string[]): string {
  return policy({
    "default-src": ["'self'"],
    "script-src": ["'self'", ...scriptHashes],
    "worker-src": ["'self'", "blob:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    ...NO_FRAMING,
  });
}

/** On every response, HTML or not: nothing from this server may be shown inside a frame. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "x-frame-options": "DENY",
  "content-security-policy": policy(NO_FRAMING),
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};
