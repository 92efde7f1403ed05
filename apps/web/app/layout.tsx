import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { ConnectionBadge } from "../components/ConnectionBadge.tsx";
import { readPodiumEndpoint } from "../lib/config.ts";
import { Providers } from "./providers.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: "Podium",
  description: "Watch and drive Podium jobs live.",
  icons: { icon: "data:," },
};

// The server URL and token are read when a page is requested, not when the app is built, so one
// build serves any Podium server; nothing here talks to the server during `next build`.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  const endpoint = readPodiumEndpoint();
  return (
    <html lang="en">
      <body>
        <Providers endpoint={endpoint}>
          <header className="topbar">
            <Link href="/" className="brand">
              Podium
            </Link>
            <nav>
              <Link href="/">Jobs</Link>
              <Link href="/new">New job</Link>
            </nav>
            <ConnectionBadge />
          </header>
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
