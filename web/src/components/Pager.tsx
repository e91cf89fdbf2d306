export function Pager({ offset, limit, total, onOffset }: { offset: number; limit: number; total: number; onOffset: (o: number) => void }) {
  const last = Math.min(offset + limit, total);
  return (
    <div class="pager">
      <button disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>Previous</button>
      <span>{total === 0 ? "none" : `${offset + 1}–${last} of ${total}`}</span>
      <button disabled={last >= total} onClick={() => onOffset(offset + limit)}>Next</button>
    </div>
  );
}
