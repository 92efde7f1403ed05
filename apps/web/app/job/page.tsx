"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { JobPage } from "../../components/job/JobPage.tsx";

function JobFromQuery() {
  const id = useSearchParams().get("id");
  return id ? <JobPage jobId={id} /> : <p className="muted">No job given (/job?id=…).</p>;
}

/** `/job?id=…`: the id is read in the browser, so one static page serves every job. */
export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <JobFromQuery />
    </Suspense>
  );
}
