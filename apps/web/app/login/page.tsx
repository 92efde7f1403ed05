"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { safeReturnPath } from "../../lib/config.ts";

function WhereNextAndWhy() {
  const params = useSearchParams();
  const error = params.get("error");
  return (
    <>
      <input type="hidden" name="next" value={safeReturnPath(params.get("next"))} />
      {error ? (
        <p className="error-text" data-testid="login-error" role="alert">
          {error === "wrong" ? "That is not the server's token." : "Sign-in failed."}
        </p>
      ) : null}
    </>
  );
}

/**
 * The server asks for PODIUM_TOKEN. The form posts it to the server once, which answers with an
 * HttpOnly session cookie: the token itself never stays in the page or in the browser's storage.
 */
export default function LoginPage() {
  return (
    <section className="panel" data-testid="login">
      <h1>Sign in</h1>
      <p className="muted">This server asks for its token (PODIUM_TOKEN).</p>
      <form method="post" action="/auth/login" className="login-form">
        <label>
          Token{" "}
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            required
            autoFocus
            data-testid="login-token"
          />
        </label>{" "}
        <button type="submit" data-testid="login-submit">
          Sign in
        </button>
        <Suspense fallback={null}>
          <WhereNextAndWhy />
        </Suspense>
      </form>
    </section>
  );
}
