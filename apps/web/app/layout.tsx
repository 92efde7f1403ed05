import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { ConnectionBadge } from "../components/ConnectionBadge.tsx";
import { SessionControl } from "../components/SessionControl.tsx";
import { Providers } from "./providers.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: "Podium",
  description: "Watch and drive Podium jobs live.",
  icons: { icon: "data:," },
};

// A static build: the Podium server serves these files on its own origin, so pages need no
// server URL and hold no token; the browser finds /graphql where the page came from.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <header className="topbar">
            <Link href="/" className="brand">
              Podium
            </Link>
            <nav>
              <Link href="/">Jobs</Link>
              <Link href="/new">New job</Link>
            </nav>
            <ConnectionBadge />
            <SessionControl />
          </header>
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
