/**
 * What the browser does when the server says its session is gone (HTTP 401, or the WebSocket
 * closed with 4403): go to the login page once, coming back here after signing in.
 */
import { loginHref } from "./config.ts";

let leaving = false;

export function sessionEnded(): void {
  if (leaving || typeof window === "undefined" || window.location.pathname === "/login") return;
  leaving = true;
  window.location.assign(loginHref(window.location));
}

/** `fetch` that sends the browser to the login page when the server answers 401. */
export const sessionFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 401) sessionEnded();
  return response;
};
