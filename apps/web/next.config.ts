import path from "node:path";
import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

/**
 * Production: a static export (`out/`) that the Podium server serves on its own origin.
 * `next dev` (hot reload) instead forwards /graphql and /auth to a running server, so pages keep
 * talking to their own origin there too.
 */
export default function config(phase: string): NextConfig {
  const shared: NextConfig = {
    reactStrictMode: true,
    poweredByHeader: false,
    // The workspace root holds the lockfile; pointing Turbopack at it keeps module resolution exact.
    turbopack: { root: path.resolve(import.meta.dirname, "../..") },
  };
  if (phase !== PHASE_DEVELOPMENT_SERVER) return { ...shared, output: "export" };
  const api = new URL(process.env.PODIUM_URL ?? "http://127.0.0.1:4000/graphql").origin;
  return {
    ...shared,
    rewrites: async () => [
      { source: "/graphql", destination: `${api}/graphql` },
      { source: "/auth/:path*", destination: `${api}/auth/:path*` },
    ],
  };
}
