"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { SheetPage } from "../../components/sheet/SheetPage.tsx";

function SheetFromQuery() {
  const params = useSearchParams();
  const jobId = params.get("job");
  const num = Number.parseInt(params.get("num") ?? "", 10);
  if (!jobId || !Number.isInteger(num))
    return <p className="muted">No sheet given (/sheet?job=…&amp;num=…).</p>;
  return <SheetPage jobId={jobId} sheetNum={num} />;
}

/** `/sheet?job=…&num=…`: read in the browser, so one static page serves every sheet. */
export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <SheetFromQuery />
    </Suspense>
  );
}
