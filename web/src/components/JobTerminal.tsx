import { useEffect, useRef, useState } from "preact/hooks";
import type { JobView } from "../api/types";
import {
  commandWords, endLine, readMessage, resizeFrame, stdinBinaryFrames, stdinFrames, subProtocol, terminalUrl, type ExecStatus, type Frame,
} from "../jobs/terminal";

type Phase = "closed" | "opening" | "open" | "ended";

/** One terminal on the page: the socket, and everything to undo when it closes or the page goes. */
interface Session {
  /** Ends the session (the server then ends the command); the screen stays for reading. */
  close(): void;
  /** Closes and removes the screen. */
  dispose(): void;
}

/**
 * A terminal in a running job (xterm.js): an interactive job's own terminal (GET /jobs/{id}/attach), else a command
 * run in the job with a terminal (GET /jobs/{id}/exec, a shell by default). Keystrokes go to the job as they are
 * typed; the screen follows the box's size (phone or desktop) and tells the job each new size. Output is written
 * as terminal text, never as markup. When the session ends its status is shown and the screen stays for reading;
 * leaving the page closes it. xterm.js is loaded only when a terminal is opened.
 */
export function JobTerminal({ job }: { job: JobView }) {
  const box = useRef<HTMLDivElement>(null);
  const session = useRef<Session | null>(null);
  const [phase, setPhase] = useState<Phase>("closed");
  const [end, setEnd] = useState<string | null>(null);
  const [command, setCommand] = useState("/bin/sh");
  const [problem, setProblem] = useState<string | null>(null);
  const running = job.state === "Running";
  const attach = !!job.interactive;

  // Leaving the page (or the job) ends the session.
  useEffect(() => () => {
    session.current?.dispose();
    session.current = null;
  }, [job.id]);

  if (!running && phase === "closed") return null;

  async function open() {
    const words = attach ? [] : commandWords(command);
    if (words === null || (!attach && words.length === 0)) {
      setProblem(words === null ? "a quote is left open" : "give a command (a shell: /bin/sh)");
      return;
    }
    setProblem(null);
    setEnd(null);
    session.current?.dispose();
    session.current = null;
    setPhase("opening");
    const [{ Terminal }, { FitAddon }] = await Promise.all([
      import("@xterm/xterm"),
      import("@xterm/addon-fit"),
      import("@xterm/xterm/css/xterm.css"),
    ]);
    const el = box.current;
    if (!el) return;
    const term = new Terminal({ cursorBlink: true, fontSize: 14, scrollback: 5000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();
    const url = terminalUrl(window.location, job.id, attach ? { attach: true } : { attach: false, command: words }, { cols: term.cols, rows: term.rows });
    const socket = new WebSocket(url, subProtocol);
    socket.binaryType = "arraybuffer";
    let status: ExecStatus | null = null;
    // A socket closed from this side drops what arrives after (the server's status among it): the page says so itself.
    let closedHere = false;
    const send = (frames: Frame[]) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      for (const f of frames) socket.send(f);
    };
    const typed = term.onData((data) => send(stdinFrames(data)));
    const binary = term.onBinary((data) => send(stdinBinaryFrames(data)));
    const resized = term.onResize(({ cols, rows }) => send([resizeFrame(cols, rows)]));
    // The box changes with the window, a phone turned, the page's layout: the screen follows, and the job is told.
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (el.clientWidth > 0) fit.fit();
      });
    });
    observer.observe(el);
    socket.onopen = () => {
      setPhase("open");
      // The size may have changed while connecting.
      send([resizeFrame(term.cols, term.rows)]);
      term.focus();
    };
    socket.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
      if (typeof e.data === "string") return;
      const message = readMessage(e.data);
      if (message.kind === "output") term.write(message.data);
      else if (message.kind === "status") status = message.status;
    };
    socket.onclose = () => {
      typed.dispose();
      binary.dispose();
      resized.dispose();
      term.options.disableStdin = true;
      term.options.cursorBlink = false;
      if (session.current === current) {
        setEnd(closedHere && !status ? "The session ended: you closed it." : endLine(status));
        setPhase("ended");
      }
    };
    const current: Session = {
      close: () => {
        closedHere = true;
        socket.close(1000);
      },
      dispose: () => {
        socket.onclose = null;
        socket.close(1000);
        typed.dispose();
        binary.dispose();
        resized.dispose();
        observer.disconnect();
        cancelAnimationFrame(frame);
        term.dispose();
        el.replaceChildren();
      },
    };
    session.current = current;
  }

  return (
    <section class="terminal" data-testid="terminal">
      <h2>Terminal</h2>
      {(phase === "closed" || phase === "ended") && running && (
        <form class="inline" onSubmit={(e) => {
          e.preventDefault();
          void open().catch((err: unknown) => {
            setPhase("closed");
            setProblem(err instanceof Error ? err.message : String(err));
          });
        }}>
          {attach
            ? <span class="muted">This job is interactive: the terminal is its own.</span>
            : <label>Command <input name="command" value={command} spellcheck={false} autocapitalize="off" onInput={(e) => setCommand(e.currentTarget.value)} /></label>}
          <button type="submit">Open terminal</button>
        </form>
      )}
      {problem && <p class="error" role="alert">{problem}</p>}
      {phase === "opening" && <p class="muted">Connecting…</p>}
      {phase === "open" && <p><button onClick={() => session.current?.close()}>Close terminal</button></p>}
      <div class="terminal-box" ref={box} data-testid="terminal-screen" />
      {end && <p class="terminal-end" role="status" data-testid="terminal-end">{end}</p>}
    </section>
  );
}
