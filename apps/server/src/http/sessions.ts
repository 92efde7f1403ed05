/**
 * Browser sessions for a server that asks for PODIUM_TOKEN. The login form posts the token once;
 * the browser then holds only a random session id in an HttpOnly, SameSite=Strict cookie, so no
 * page and no script ever sees the token. Sessions live in memory: a restart signs everyone out.
 */
import { randomBytes } from "node:crypto";
import { parseCookie, stringifySetCookie } from "cookie";

export const SESSION_COOKIE = "podium_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Sessions beyond this many (oldest first) are dropped: logins need the token, so this is a backstop. */
const MAX_SESSIONS = 10_000;

export class SessionStore {
  readonly #expiries = new Map<string, number>();
  readonly #endListeners = new Set<(id: string) => void>();

  constructor(
    readonly ttlMs = SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  create(): string {
    this.#prune();
    const id = randomBytes(32).toString("base64url");
    this.#expiries.set(id, this.now() + this.ttlMs);
    while (this.#expiries.size > MAX_SESSIONS) {
      this.#expiries.delete(this.#expiries.keys().next().value!);
    }
    return id;
  }

  valid(id: string | null | undefined): boolean {
    if (!id) return false;
    const expires = this.#expiries.get(id);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.#expiries.delete(id);
      return false;
    }
    return true;
  }

  end(id: string | null | undefined): void {
    if (!id || !this.#expiries.delete(id)) return;
    for (const listener of this.#endListeners) listener(id);
  }

  /** Called with the id of every session ended by sign-out (live sockets of it are closed). */
  onEnd(listener: (id: string) => void): void {
    this.#endListeners.add(listener);
  }

  get size(): number {
    return this.#expiries.size;
  }

  #prune(): void {
    const now = this.now();
    for (const [id, expires] of this.#expiries) if (expires <= now) this.#expiries.delete(id);
  }
}

/** The session id a request's `Cookie` header carries, if any. */
export function sessionIdFromCookies(header: string | null | undefined): string | null {
  if (!header) return null;
  return parseCookie(header)[SESSION_COOKIE] ?? null;
}

export function sessionCookie(id: string, ttlMs: number, secure: boolean): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: id,
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    maxAge: Math.floor(ttlMs / 1000),
    secure,
  });
}

export function clearedSessionCookie(secure: boolean): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: "",
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    maxAge: 0,
    secure,
  });
}
