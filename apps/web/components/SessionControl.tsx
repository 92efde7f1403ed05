"use client";
/**
 * "Sign out", shown only when the server asks for a token and this browser holds a session.
 * A plain form POST: the server ends the session and clears the cookie.
 */
import { useEffect, useState } from "react";

interface SessionState {
  required: boolean;
  signedIn: boolean;
}

export function SessionControl() {
  const [session, setSession] = useState<SessionState | null>(null);
  useEffect(() => {
    let current = true;
    fetch("/auth/session", { headers: { accept: "application/json" } })
      .then((response) => (response.ok ? (response.json() as Promise<SessionState>) : null))
      .then((state) => current && setSession(state))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);
  if (!session?.required || !session.signedIn) return null;
  return (
    <form method="post" action="/auth/logout" className="session-control">
      <button type="submit" className="small" data-testid="logout">
        Sign out
      </button>
    </form>
  );
}
