import { describe, expect, it } from "vitest";
import { bytes, cpus, duration } from "./format";

describe("format", () => {
  it.each([
    [0, "0 B"], [512, "512 B"], [1536, "1.5 KiB"], [200 * 1024 * 1024, "200 MiB"], [4 * 1024 ** 3, "4.0 GiB"],
  ])("bytes(%d) is %s", (value, text) => expect(bytes(value)).toBe(text));

  it.each([
    [0, "0s"], [59.6, "1m 0s"], [61, "1m 1s"], [3600 + 120, "1h 2m"], [2 * 86400 + 3 * 3600, "2d 3h"], [-5, "0s"],
  ])("duration(%d) is %s", (seconds, text) => expect(duration(seconds)).toBe(text));

  it("says nothing is known as a dash", () => {
    expect(bytes(undefined)).toBe("–");
    expect(duration(Number.NaN)).toBe("–");
  });

  it.each([[1, "1"], [0.25, "0.25"], [0.5, "0.5"], [2.1, "2.1"]])("cpus(%d) is %s", (value, text) => expect(cpus(value)).toBe(text));
});
