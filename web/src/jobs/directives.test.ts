import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { directiveEnv, formEnvError, jobVolumes, mergeEnv, mergeVolumes, readArguments, readDirectives } from "./directives";

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

describe("--volume, --chdir and --export, as `godocker submit` reads them", () => {
  const read = (script: string) => readDirectives(script).map((d) => [d.field, d.value, d.error]);

  it("reads --volume and -v, repeatable, with :ro or :rw", () => {
    expect(read("#GODOCKER --volume data -v scratch:ro\n#GODOCKER --volume=home:rw\n")).toEqual([
      ["volumes", "data", undefined],
      ["volumes", "scratch:ro", undefined],
      ["volumes", "home:rw", undefined],
    ]);
  });

  it("refuses a volume that is not NAME, NAME:ro or NAME:rw, as the CLI's check does", () => {
    expect(readDirectives("#GODOCKER -v data:rx --volume /srv/data --volume :ro\n").map((d) => d.error)).toEqual([
      "--volume: 'data:rx' is not a volume; give a site volume's name, optionally :ro or :rw",
      "--volume: '/srv/data' is not a volume; give a site volume's name, optionally :ro or :rw",
      "--volume: ':ro' is not a volume; give a site volume's name, optionally :ro or :rw",
    ]);
  });

  it("reads --chdir, -D and --workdir as the working directory", () => {
    expect(read("#GODOCKER --chdir /data/run7 -D /a --workdir=/b\n")).toEqual([
      ["workdir", "/data/run7", undefined],
      ["workdir", "/a", undefined],
      ["workdir", "/b", undefined],
    ]);
  });

  it("accepts the CLI's script of the brief: --volume data --chdir /data/run7", () => {
    const found = readDirectives("#!/bin/sh\n#GODOCKER --volume data --chdir /data/run7\nls\n");
    expect(found.map((d) => [d.field, d.value, d.error])).toEqual([
      ["volumes", "data", undefined],
      ["workdir", "/data/run7", undefined],
    ]);
    expect(jobVolumes(found, [])).toEqual(["data"]);
  });

  it("reads --export VAR=VALUE[,VAR=VALUE] as env, and NONE as nothing", () => {
    const found = readDirectives("#GODOCKER --export A=1,B=x=y --export NONE --export=C=\n");
    expect(found.map((d) => d.error)).toEqual([undefined, undefined, undefined]);
    expect(directiveEnv(found)).toEqual([["A", "1"], ["B", "x=y"], ["C", ""]]);
  });

  it("refuses a bare VAR: the browser has no environment to take it from", () => {
    expect(readDirectives("#GODOCKER --export HOME\n#GODOCKER --export A=1,PATH\n").map((d) => d.error)).toEqual([
      "--export HOME: the browser has no environment: give VAR=VALUE",
      "--export PATH: the browser has no environment: give VAR=VALUE",
    ]);
  });

  it("refuses ALL, also with a value, as the CLI does", () => {
    expect(readDirectives("#GODOCKER --export ALL --export A=1,ALL=2\n").map((d) => d.error)).toEqual([
      "--export ALL is refused: the browser has no environment: give VAR=VALUE (or -e KEY=VALUE)",
      "--export ALL is refused: the browser has no environment: give VAR=VALUE (or -e KEY=VALUE)",
    ]);
  });

  it("refuses an --export item that is not a variable's name", () => {
    expect(readDirectives("#GODOCKER --export 1A=x --export A=1,,B=2 --export A-B=3\n").map((d) => d.error)).toEqual([
      "--export: '1A=x' is not VAR=VALUE (or NONE)",
      "--export: '' is not VAR=VALUE (or NONE)",
      "--export: 'A-B=3' is not VAR=VALUE (or NONE)",
    ]);
  });

  it("refuses -e and --label values that are not KEY=VALUE, as the CLI does", () => {
    expect(readDirectives("#GODOCKER -e FOO --label =x -e OK=1\n").map((d) => d.error)).toEqual([
      "-e: 'FOO' is not KEY=VALUE",
      "--label: '=x' is not KEY=VALUE",
      undefined,
    ]);
  });

  it("needs a value for each", () => {
    expect(readDirectives("#GODOCKER --chdir\n").map((d) => d.error)).toEqual(["--chdir needs a value"]);
    expect(readDirectives("#GODOCKER -v\n").map((d) => d.error)).toEqual(["-v needs a value"]);
    expect(readDirectives("#GODOCKER --export\n").map((d) => d.error)).toEqual(["--export needs a value"]);
  });
});

describe("the merge of directives and the form", () => {
  it("lets -e win over --export whichever line comes first, as JobOptionSet.Read orders them", () => {
    const found = readDirectives("#GODOCKER -e A=from-e\n#GODOCKER --export A=from-export,B=2\n");
    expect(mergeEnv(found, [])).toEqual({ A: "from-e", B: "2" });
  });

  it("lets the form's environment win on the same key, and keeps the rest", () => {
    const found = readDirectives("#GODOCKER --export A=1,B=2 -e C=3\n");
    expect(mergeEnv(found, ["B=form", "D=x=y"])).toEqual({ A: "1", B: "form", C: "3", D: "x=y" });
  });

  it("sends no env when neither gives any, and leaves out a directive in error", () => {
    expect(mergeEnv(readDirectives("#GODOCKER --export NONE\n"), [])).toBeUndefined();
    expect(mergeEnv(readDirectives("#GODOCKER --export A=1,HOME\n"), [])).toBeUndefined();
  });

  it("names a form environment line that is not KEY=VALUE", () => {
    expect(formEnvError(["A=1", "B"])).toBe("'B' is not KEY=VALUE");
    expect(formEnvError(["A=1", "B="])).toBeUndefined();
  });

  it("merges volumes by name as the CLI does: first mention's place, the upper's mode", () => {
    expect(mergeVolumes(["data", "home"], ["data:ro", "scratch"])).toEqual(["data:ro", "home", "scratch"]);
    expect(mergeVolumes(["data:ro"], ["data"])).toEqual(["data"]);
  });

  it("lets a later directive for the same volume win, as in one CLI parse", () => {
    expect(jobVolumes(readDirectives("#GODOCKER -v data -v home\n#GODOCKER -v data:ro\n"), [])).toEqual(["data:ro", "home"]);
  });

  it("adds the form's ticked volumes, which name no mode and so keep a directive's :ro", () => {
    const found = readDirectives("#GODOCKER --volume data:ro\n");
    expect(jobVolumes(found, ["scratch", "data"])).toEqual(["data:ro", "scratch"]);
    expect(jobVolumes([], ["scratch"])).toEqual(["scratch"]);
    expect(jobVolumes([], [])).toBeUndefined();
  });

  it("leaves out a volume directive in error", () => {
    expect(jobVolumes(readDirectives("#GODOCKER -v data:rx\n"), [])).toBeUndefined();
  });
});
