import { JobsPage } from "../components/jobs/JobsPage.tsx";
import { ProcessesPanel } from "../components/processes/ProcessesPanel.tsx";
import { ServerHealth } from "../components/ServerHealth.tsx";

export default function Home() {
  return (
    <>
      <ServerHealth />
      <ProcessesPanel />
      <JobsPage />
    </>
  );
}
