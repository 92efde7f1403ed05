import path from "node:path";
import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The workspace root holds the lockfile; pointing Turbopack at it keeps module resolution exact.
  turbopack: { root: path.resolve(import.meta.dirname, "../..") },
};

export default config;
