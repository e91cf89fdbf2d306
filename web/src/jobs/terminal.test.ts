import { describe, expect, it } from "vitest";
import {
  closeStdinFrame, commandWords, endLine, maxPayloadBytes, readMessage, resizeFrame, stdinBinaryFrames, stdinFrames, terminalUrl,
} from "./terminal";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("frames to the server", () => {
  it("sends keystrokes on channel 0 as UTF-8", () => {
    const [only, ...rest] = stdinFrames("é\r");
    expect(rest).toEqual([]);
    expect(Array.from(only!)).toEqual([0, 0xc3, 0xa9, 0x0d]);
  });

  it("splits a long paste below the server's 64 KiB limit", () => {
    const frames = stdinFrames("x".repeat(maxPayloadBytes * 2 + 1));
    expect(frames.map((f) => f.length)).toEqual([maxPayloadBytes + 1, maxPayloadBytes + 1, 2]);
    expect(frames.every((f) => f[0] === 0)).toBe(true);
  });

  it("sends nothing for no input", () => expect(stdinFrames("")).toEqual([]));

  it("sends binary input one byte per character", () => {
    expect(Array.from(stdinBinaryFrames("\x1b[M\xff")[0]!)).toEqual([0, 0x1b, 0x5b, 0x4d, 0xff]);
  });

  it("sends a resize on channel 4 as the JSON the server parses", () => {
    const frame = resizeFrame(80, 24);
    expect(frame[0]).toBe(4);
    expect(JSON.parse(text(frame.subarray(1)))).toEqual({ cols: 80, rows: 24 });
  });

  it("closes stdin with 255 then the channel closed", () => expect(Array.from(closeStdinFrame())).toEqual([255, 0]));
});

describe("messages from the server", () => {
  it("reads stdout and stderr as bytes (xterm decodes UTF-8 split across messages)", () => {
    expect(readMessage(Uint8Array.of(1, 0x34, 0x32))).toEqual({ kind: "output", stream: "stdout", data: Uint8Array.of(0x34, 0x32) });
    expect(readMessage(Uint8Array.of(2, 0xc3).buffer)).toEqual({ kind: "output", stream: "stderr", data: Uint8Array.of(0xc3) });
  });

  it("reads the status, as ExecProtocol.StatusFrame writes it", () => {
    const json = new TextEncoder().encode('{"status":"Failure","reason":"Exited","exitCode":3,"message":"exit code 3"}');
    const message = readMessage(Uint8Array.of(3, ...json));
    expect(message).toEqual({ kind: "status", status: { status: "Failure", reason: "Exited", exitCode: 3, message: "exit code 3" } });
  });

  it("reads a status without an exit code", () => {
    const json = new TextEncoder().encode('{"status":"Failure","reason":"IdleTimeout","message":"no input or output for 00:30:00"}');
    const message = readMessage(Uint8Array.of(3, ...json));
    expect(message.kind === "status" && message.status).toEqual({ status: "Failure", reason: "IdleTimeout", message: "no input or output for 00:30:00" });
  });

  it("ignores an unknown channel, an empty message and a status that is not one", () => {
    expect(readMessage(Uint8Array.of(9, 1))).toEqual({ kind: "ignored" });
    expect(readMessage(new Uint8Array(0))).toEqual({ kind: "ignored" });
    expect(readMessage(Uint8Array.of(3, 0x7b))).toEqual({ kind: "ignored" });
    expect(readMessage(Uint8Array.of(3, ...new TextEncoder().encode('{"status":"Success"}')))).toEqual({ kind: "ignored" });
  });
});

describe("the end line", () => {
  it("names the exit code", () => {
    expect(endLine({ status: "Failure", reason: "Exited", exitCode: 3, message: "exit code 3" })).toBe("The session ended: exit code 3.");
  });
  it("names another reason", () => {
    expect(endLine({ status: "Failure", reason: "MaxSession", message: "the session reached its maximum length (08:00:00)" }))
      .toBe("The session ended (MaxSession): the session reached its maximum length (08:00:00).");
  });
  it("says when no status came", () => expect(endLine(null)).toMatch(/closed before/));
});

describe("commandWords", () => {
  it.each([
    ["/bin/sh", ["/bin/sh"]],
    ["  bash   -l ", ["bash", "-l"]],
    ["sh -c 'echo $HOME; ls'", ["sh", "-c", "echo $HOME; ls"]],
    ['sh -c "say \\"hi\\" a\\b"', ["sh", "-c", 'say "hi" a\\b']],
    ["a\\ b c''", ["a b", "c"]],
    ["''", [""]],
    ["", []],
  ])("%s", (line, words) => expect(commandWords(line)).toEqual(words));

  it("refuses an open quote", () => {
    expect(commandWords("sh -c 'echo")).toBeNull();
    expect(commandWords('sh -c "echo')).toBeNull();
  });
});

describe("terminalUrl", () => {
  it("runs the command with a terminal and input, one command= per word, on the page's origin", () => {
    expect(terminalUrl({ protocol: "https:", host: "gd.example.org" }, 12, { attach: false, command: ["sh", "-c", "a b&c"] }, { cols: 80, rows: 24 }))
      .toBe("wss://gd.example.org/api/v1/jobs/12/exec?command=sh&command=-c&command=a+b%26c&tty=true&stdin=true&cols=80&rows=24");
  });

  it("attaches to an interactive job with its size only", () => {
    expect(terminalUrl({ protocol: "http:", host: "10.0.0.1:8080" }, 7, { attach: true }, { cols: 40, rows: 20 }))
      .toBe("ws://10.0.0.1:8080/api/v1/jobs/7/attach?cols=40&rows=20");
  });
});
