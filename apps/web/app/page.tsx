import { JobsPage } from "../components/jobs/JobsPage.tsx";
import { ServerHealth } from "../components/ServerHealth.tsx";

export default function Home() {
  return (
    <>
      <ServerHealth />
      <JobsPage />
    </>
  );
}
