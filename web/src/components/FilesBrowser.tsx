import { useState } from "preact/hooks";
import { query } from "../api/client";
import { useApi } from "../api/useApi";
import type { FileEntry } from "../api/types";
import { ErrorNote } from "./ErrorNote";
import { bytes, dateTime } from "../format";

/** The job directory's folders and files; files download through the API (attachment, never rendered here). */
export function FilesBrowser({ jobId, refreshMs }: { jobId: number; refreshMs?: number }) {
  const [folder, setFolder] = useState("");
  const files = useApi<FileEntry[]>(`/jobs/${jobId}/files${query({ path: folder })}`, refreshMs);
  const parts = folder ? folder.split("/") : [];
  return (
    <div class="files">
      <nav class="crumbs" aria-label="Folder">
        <button class="link" onClick={() => setFolder("")}>job directory</button>
        {parts.map((p, i) => (
          <span key={i}> / <button class="link" onClick={() => setFolder(parts.slice(0, i + 1).join("/"))}>{p}</button></span>
        ))}
      </nav>
      <ErrorNote error={files.error} />
      <div class="table-box">
        <table>
          <thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead>
          <tbody>
            {files.data?.map((f) => (
              <tr key={f.path}>
                <td>
                  {f.type === "dir" ? (
                    <button class="link" onClick={() => setFolder(f.path)}>{f.name}/</button>
                  ) : f.type === "file" ? (
                    <a href={`/api/v1/jobs/${jobId}/files/${f.path.split("/").map(encodeURIComponent).join("/")}`} download={f.name}>{f.name}</a>
                  ) : (
                    <span title={f.type}>{f.name}</span>
                  )}
                </td>
                <td>{f.type === "file" ? bytes(f.size) : ""}</td>
                <td>{dateTime(f.modifiedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
