import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readArguments, readDirectives } from "./directives";

// The server's table (tests/shared/script-directives.json, also run by GoDocker.Core.Tests' ScriptDirectivesTests):
// a script reads the same in the submit form as in `godocker submit`.
const table = JSON.parse(readFileSync(new URL("../../../tests/shared/script-directives.json", import.meta.url), "utf8")) as {
  cases: { because: string; script: string; arguments: string[] }[];
};

describe("readArguments, on the server's table", () => {
  it("has the table", () => expect(table.cases.length).toBeGreaterThanOrEqual(17));
  for (const c of table.cases) {
    it(c.because, () => expect(readArguments(c.script)).toEqual(c.arguments));
  }
});

describe("readDirectives", () => {
  it("maps short and long options to the job's fields, with their values and lines", () => {
    const script = "#!/bin/sh\n#GODOCKER -c 2 --mem=4G\n#GODOCKER --time 1h -t a -t b --hold\necho\n";
    expect(readDirectives(script).map((d) => [d.field, d.value, d.line])).toEqual([
      ["cpus", "2", 2],
      ["memory", "4G", 2],
      ["walltime", "1h", 3],
      ["tags", "a", 3],
      ["tags", "b", 3],
      ["hold", null, 3],
    ]);
  });

  it("reads the mail options as `godocker submit` does (--mail-type, --mail-user)", () => {
    const script = "#GODOCKER --mail-type=END,FAIL --mail-user ana@example.org\n";
    expect(readDirectives(script).map((d) => [d.field, d.value, d.error])).toEqual([
      ["mailType", "END,FAIL", undefined],
      ["mailUser", "ana@example.org", undefined],
    ]);
  });

  it("reads --stdout and --stderr, sbatch's -o and -e, by their long names", () => {
    const script = "#GODOCKER --stdout /data/%j.out --stderr='/data/it is %x.err'\n";
    expect(readDirectives(script).map((d) => [d.field, d.value, d.error])).toEqual([
      ["stdout", "/data/%j.out", undefined],
      ["stderr", "/data/it is %x.err", undefined],
    ]);
  });

  it("names an option a #GODOCKER line may not carry, and an option without its value", () => {
    const found = readDirectives("#GODOCKER --output json --cpus\n");
    expect(found.map((d) => d.error)).toEqual([
      "'--output' is not an option a #GODOCKER line may carry",
      "'json' is not an option a #GODOCKER line may carry",
      "--cpus needs a value",
    ]);
  });

  it("takes an option's value from the next line, as the CLI's one argument list does", () => {
    expect(readDirectives("#GODOCKER --name\n#GODOCKER my-job\n").map((d) => [d.field, d.value])).toEqual([["name", "my-job"]]);
  });
});
