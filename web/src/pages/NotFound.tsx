/** Anything the caller may not see is answered as absent (the API's 404), never as "forbidden". */
export function NotFound({ what }: { what?: string }) {
  return (
    <section class="not-found" data-testid="not-found">
      <h1>Not found</h1>
      <p>{what ?? "There is no such page."}</p>
      <p><a href="/jobs">Back to the jobs</a></p>
    </section>
  );
}
