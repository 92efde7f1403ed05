import { EventLogPreview } from "../../../components/job/EventLogPreview.tsx";

/**
 * The event log component on its own, fed `count` generated events: for checking how it looks
 * and how fast it renders large logs without a job that has produced them.
 */
export default async function Page({
  searchParams,
}: {
  searchParams: Promise<{ count?: string }>;
}) {
  const { count } = await searchParams;
  const parsed = Number.parseInt(count ?? "1000", 10);
  return (
    <EventLogPreview
      count={Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 100_000) : 1000}
    />
  );
}
