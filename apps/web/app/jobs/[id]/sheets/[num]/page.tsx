import { SheetPage } from "../../../../../components/sheet/SheetPage.tsx";

export default async function Page({ params }: { params: Promise<{ id: string; num: string }> }) {
  const { id, num } = await params;
  return <SheetPage jobId={decodeURIComponent(id)} sheetNum={Number.parseInt(num, 10)} />;
}
