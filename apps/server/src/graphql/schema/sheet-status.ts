import { SHEET_STATUSES, type SheetStatus } from "../../store/read-model.ts";
import { builder } from "../builder.ts";

export const SheetStatusEnum = builder.enumType("SheetStatus", {
  description:
    "Where a sheet is in its life. COMPLETED, FAILED, SKIPPED and CANCELLED are terminal; FERMATA waits for resolveFermata.",
  values: Object.fromEntries(
    SHEET_STATUSES.map((status) => [status.toUpperCase(), { value: status }]),
  ) as Record<Uppercase<SheetStatus>, { value: SheetStatus }>,
});
