import { NewJobPage } from "../../components/new/NewJobPage.tsx";

export default function Page() {
  return <NewJobPage />;
}
