// The wire of a job's terminal: GET /api/v1/jobs/{id}/exec (a command in a running job) and /attach (an interactive
// job's own terminal), WebSockets of subprotocol godocker.exec.v1 (src/GoDocker.Core/Contracts/ExecProtocol.cs).
// Every binary message starts with a channel byte; the rest is the payload.

import { apiBase } from "../api/client";

export const subProtocol = "godocker.exec.v1";

export const channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  status: 3,
  resize: 4,
  close: 255,
} as const;

/** The server refuses a message above 64 KiB (channel byte included): a long paste goes as several. */
export const maxPayloadBytes = 32 * 1024;

/** How a session ended: the server's last message before it closes the socket. */
export interface ExecStatus {
  status: "Success" | "Failure";
  /** Exited, IdleTimeout, MaxSession, ServerStopping, ClientClosed, Error. */
  reason: string;
  exitCode?: number;
  message: string;
}

export type ServerMessage =
  | { kind: "output"; stream: "stdout" | "stderr"; data: Uint8Array }
  | { kind: "status"; status: ExecStatus }
  | { kind: "ignored" };

const encoder = new TextEncoder();

/** A message to send: a buffer of its own (WebSocket.send takes no view of a shared one). */
export type Frame = Uint8Array<ArrayBuffer>;

function frame(ch: number, payload: Uint8Array): Frame {
  const message = new Uint8Array(payload.length + 1);
  message[0] = ch;
  message.set(payload, 1);
  return message;
}

/** What the user typed or pasted (xterm gives it as text), as stdin messages of at most maxPayloadBytes each. */
export function stdinFrames(text: string): Frame[] {
  return stdinOf(encoder.encode(text));
}

/** xterm's binary input (some mouse reports): one byte per character, as xterm's onBinary documents. */
export function stdinBinaryFrames(data: string): Frame[] {
  return stdinOf(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff));
}

function stdinOf(bytes: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += maxPayloadBytes) {
    frames.push(frame(channel.stdin, bytes.subarray(at, at + maxPayloadBytes)));
  }
  return frames;
}

export function resizeFrame(cols: number, rows: number): Frame {
  return frame(channel.resize, encoder.encode(JSON.stringify({ cols, rows })));
}

/** The end of input: the command reads end of file. */
export function closeStdinFrame(): Frame {
  return Uint8Array.of(channel.close, channel.stdin);
}

/** One message from the server; a channel this code does not know is ignored, as the server ignores ours. */
export function readMessage(data: ArrayBuffer | Uint8Array): ServerMessage {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length === 0) return { kind: "ignored" };
  const payload = bytes.subarray(1);
  switch (bytes[0]) {
    case channel.stdout:
      return { kind: "output", stream: "stdout", data: payload };
    case channel.stderr:
      return { kind: "output", stream: "stderr", data: payload };
    case channel.status: {
      try {
        const status = JSON.parse(new TextDecoder().decode(payload)) as Partial<ExecStatus>;
        if (typeof status.reason !== "string") return { kind: "ignored" };
        return {
          kind: "status",
          status: {
            status: status.status === "Success" ? "Success" : "Failure",
            reason: status.reason,
            ...(typeof status.exitCode === "number" ? { exitCode: status.exitCode } : {}),
            message: typeof status.message === "string" ? status.message : "",
          },
        };
      } catch {
        return { kind: "ignored" };
      }
    }
    default:
      return { kind: "ignored" };
  }
}

/** The sentence shown under the terminal when a session ends. */
export function endLine(status: ExecStatus | null): string {
  if (!status) return "The connection closed before the session said how it ended (refused, or the network dropped it).";
  if (status.reason === "Exited") return `The session ended: ${status.message || "the command exited"}.`;
  return `The session ended (${status.reason}): ${status.message}.`;
}

/**
 * A command line as words, as a shell would split it for the simple cases people type here: blanks separate words,
 * '…' keeps everything literally, "…" and a backslash keep blanks and quotes. No expansion: `/bin/sh -c 'echo $HOME'`
 * leaves $HOME to the shell in the job. Null when a quote is left open.
 */
export function commandWords(line: string): string[] | null {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) return null;
      inWord = true;
      i = j;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The socket's address on this page's own origin (so the session cookie goes with it and the server's origin check
 * passes): an interactive job's own terminal (attach), else the command in the job with a terminal and input.
 */
export function terminalUrl(
  origin: { protocol: string; host: string },
  jobId: number,
  how: { attach: true } | { attach: false; command: string[] },
  size: { cols: number; rows: number },
): string {
  const scheme = origin.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams();
  let path: string;
  if (how.attach) {
    path = "attach";
  } else {
    path = "exec";
    for (const word of how.command) query.append("command", word);
    query.set("tty", "true");
    query.set("stdin", "true");
  }
  query.set("cols", String(size.cols));
  query.set("rows", String(size.rows));
  return `${scheme}//${origin.host}${apiBase}/jobs/${jobId}/${path}?${query.toString()}`;
}
