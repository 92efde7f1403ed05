import type { SheetRow } from "../../store/read-model.ts";
import { builder } from "../builder.ts";
import { AttemptRef } from "./attempt.ts";
import { SheetStatusEnum } from "./sheet-status.ts";

export const SheetRef = builder.objectRef<SheetRow>("Sheet").implement({
  description: "One step of a job, numbered from 1.",
  fields: (t) => ({
    jobId: t.exposeID("jobId"),
    num: t.exposeInt("num"),
    status: t.expose("status", { type: SheetStatusEnum }),
    movement: t.exposeInt("movement", { description: "1-based movement (stage)." }),
    voice: t.exposeInt("voice", {
      nullable: true,
      description: "1-based voice in a fanned-out movement; null when the movement has one voice.",
    }),
    voiceCount: t.exposeInt("voiceCount"),
    description: t.exposeString("description", { nullable: true }),
    instrument: t.exposeString("instrument", { description: "The instrument in use now." }),
    fallbacks: t.stringList({
      description: "Instruments tried in order after the primary one.",
      resolve: (sheet) => sheet.instrumentChain.slice(1),
    }),
    instrumentChain: t.exposeStringList("instrumentChain", {
      description: "Primary instrument then fallbacks; `instrumentIndex` points at the one in use.",
    }),
    instrumentIndex: t.exposeInt("instrumentIndex"),
    model: t.exposeString("model", { nullable: true }),
    dependsOn: t.exposeIntList("dependsOn"),
    normalAttempts: t.exposeInt("normalAttempts"),
    completionAttempts: t.exposeInt("completionAttempts"),
    healingAttempts: t.exposeInt("healingAttempts"),
    attempts: t.field({
      type: [AttemptRef],
      resolve: (sheet, _args, { services }) =>
        services.readModel.listAttempts(sheet.jobId, sheet.num),
    }),
    validationPassRate: t.exposeFloat("validationPassRate", { nullable: true }),
    costUsd: t.exposeFloat("costUsd"),
    durationMs: t.exposeInt("durationMs"),
    errorCode: t.exposeString("errorCode", { nullable: true }),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    stdoutTail: t.exposeString("stdoutTail", { nullable: true }),
    stderrTail: t.exposeString("stderrTail", { nullable: true }),
    prompt: t.exposeString("prompt", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
  }),
});
