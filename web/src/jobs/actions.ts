import { api } from "../api/client";
import type { JobView } from "../api/types";

export type JobAction = "kill" | "hold" | "release" | "suspend" | "resume" | "requeue";

/** Which control actions a job in its present state can take (the server decides; this only hides the impossible). */
export function possibleActions(job: JobView): JobAction[] {
  switch (job.state) {
    case "Pending":
      return job.heldBy ? ["release", "kill"] : ["hold", "kill"];
    case "Scheduled":
      return ["kill"];
    case "Running":
      return ["suspend", "requeue", "kill"];
    case "Suspended":
      return ["resume", "kill"];
    default:
      return [];
  }
}

export function act(id: number, action: JobAction): Promise<JobView> {
  return api.post<JobView>(`/jobs/${id}/${action}`);
}

export const actionLabels: Record<JobAction, string> = {
  kill: "Kill",
  hold: "Hold",
  release: "Release",
  suspend: "Suspend",
  resume: "Resume",
  requeue: "Requeue",
};
