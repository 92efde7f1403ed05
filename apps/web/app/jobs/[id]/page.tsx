import { JobPage } from "../../../components/job/JobPage.tsx";

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <JobPage jobId={decodeURIComponent(id)} />;
}
