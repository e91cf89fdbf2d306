import type { NodeView } from "../api/types";
import { bytes, cpus } from "../format";

/** The nodes at a glance: state, what the jobs there hold of its capacity; admins get drain and resume. */
export function NodesTable({ nodes, onDrain, onResume }: {
  nodes: NodeView[];
  onDrain?: (name: string) => void;
  onResume?: (name: string) => void;
}) {
  return (
    <div class="table-box">
      <table class="nodes">
        <thead><tr><th>Node</th><th>State</th><th>CPUs</th><th>Memory</th><th>GPUs</th><th>Jobs</th>{onDrain && <th />}</tr></thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.name} data-node={n.name}>
              <td>{n.name}</td>
              <td><span class={`node-state node-${n.state.toLowerCase()}`} data-testid="node-state">{n.state}</span>{n.drainedBy && <span class="muted"> by {n.drainedBy}</span>}{n.error && <span class="muted"> {n.error}</span>}</td>
              <td><Meter used={n.used.cpus} total={n.capacity.cpus} text={`${cpus(n.used.cpus)} / ${cpus(n.capacity.cpus)}`} /></td>
              <td><Meter used={n.used.memoryBytes} total={n.capacity.memoryBytes} text={`${bytes(n.used.memoryBytes)} / ${bytes(n.capacity.memoryBytes)}`} /></td>
              <td>{n.capacity.gpus ? `${n.used.gpus} / ${n.capacity.gpus}` : "–"}</td>
              <td>{n.jobs}</td>
              {onDrain && onResume && (
                <td>{n.drainedBy || n.state.toLowerCase() === "drained"
                  ? <button onClick={() => onResume(n.name)}>Resume</button>
                  : <button onClick={() => onDrain(n.name)}>Drain</button>}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Meter({ used, total, text }: { used: number; total: number; text: string }) {
  const ratio = total > 0 ? Math.min(1, used / total) : 0;
  return (
    <span class="meter" title={text}>
      <span class="bar"><span style={{ width: `${Math.round(ratio * 100)}%` }} /></span>
      <span class="meter-text">{text}</span>
    </span>
  );
}
