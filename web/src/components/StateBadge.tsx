import type { JobState } from "../api/types";

export function StateBadge({ state, held }: { state: JobState; held?: boolean }) {
  return <span class={`state state-${state.toLowerCase()}`} data-state={state}>{held && state === "Pending" ? "Held" : state}</span>;
}
