import type { ApiError } from "../api/client";

/** A refusal or failure, as the API's problem details say it. */
export function ErrorNote({ error }: { error: ApiError | undefined | null }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.problem.title && error.problem.detail ? `${error.problem.title}: ${error.problem.detail}` : error.message}
    </p>
  );
}
