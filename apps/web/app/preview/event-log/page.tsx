"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { EventLogPreview } from "../../../components/job/EventLogPreview.tsx";

function PreviewFromQuery() {
  const parsed = Number.parseInt(useSearchParams().get("count") ?? "1000", 10);
  return (
    <EventLogPreview
      count={Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 100_000) : 1000}
    />
  );
}

/**
 * The event log component on its own, fed `count` generated events: for checking how it looks
 * and how fast it renders large logs without a job that has produced them.
 */
export default function Page() {
  return (
    <Suspense fallback={null}>
      <PreviewFromQuery />
    </Suspense>
  );
}
