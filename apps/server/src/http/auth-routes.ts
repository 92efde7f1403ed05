/**
 * Signing a browser in and out: `POST /auth/login` takes the token from the login form and
 * answers with a session cookie, `POST /auth/logout` ends the session, `GET /auth/session` says
 * whether this server asks for a token and whether this browser holds a session.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { tokenMatches } from "../graphql/security.ts";
import {
  clearedSessionCookie,
  sessionCookie,
  sessionIdFromCookies,
  type SessionStore,
} from "./sessions.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { pathnameOf, redirect, sendJson, sendText, type Route } from "./routes.ts";

/** A login form is a token and a return path; anything bigger is not one. */
const MAX_LOGIN_BODY_BYTES = 8 * 1024;

export interface AuthOptions {
  token: string | null;
  sessions: SessionStore;
  /** Host and Origin allowed (answers 403 itself when not). */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  throttle?: LoginThrottle;
}

class BodyTooLarge extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_LOGIN_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** A path on this site; anything else (another site, `//host`) becomes `/`. */
export function safeReturnPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

function secure(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

export function authRoutes(options: AuthOptions): Route[] {
  const { token, sessions } = options;
  const throttle = options.throttle ?? new LoginThrottle();

  const login = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") return sendText(res, 405, "Sign in with POST /auth/login");
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader("connection", "close");
        return sendText(res, 413, `A login form is at most ${MAX_LOGIN_BODY_BYTES} bytes`);
      }
      throw error;
    }
    const next = safeReturnPath(form.get("next"));
    if (token === null) return redirect(res, next);
    const address = req.socket.remoteAddress ?? "unknown";
    const waitMs = throttle.waitMs(address);
    if (waitMs > 0) {
      res.setHeader("retry-after", String(Math.ceil(waitMs / 1000)));
      return sendText(res, 429, "Too many wrong tokens from this address: try again later");
    }
    if (!tokenMatches(token, form.get("token"))) {
      throttle.failed(address);
      return redirect(res, `/login?error=wrong&next=${encodeURIComponent(next)}`);
    }
    throttle.succeeded(address);
    const id = sessions.create();
    redirect(res, next, { "set-cookie": sessionCookie(id, sessions.ttlMs, secure(req)) });
  };

  const logout = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "POST") return sendText(res, 405, "Sign out with POST /auth/logout");
    sessions.end(sessionIdFromCookies(req.headers.cookie));
    redirect(res, token === null ? "/" : "/login", {
      "set-cookie": clearedSessionCookie(secure(req)),
    });
  };

  const session = (req: IncomingMessage, res: ServerResponse): void => {
    sendJson(res, 200, {
      required: token !== null,
      signedIn: token === null || sessions.valid(sessionIdFromCookies(req.headers.cookie)),
    });
  };

  const handlers: Record<string, (req: IncomingMessage, res: ServerResponse) => unknown> = {
    "/auth/login": login,
    "/auth/logout": logout,
    "/auth/session": session,
  };
  return [
    {
      path: "/auth/",
      prefix: true,
      handle: async (req, res) => {
        if (!options.admit(req, res)) return;
        const handler = handlers[pathnameOf(req)];
        if (handler) await handler(req, res);
        else sendText(res, 404, "Not found");
      },
    },
  ];
}
