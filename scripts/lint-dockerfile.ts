/**
 * Lints the Dockerfile: dockerfile-utils' validator (syntax, arguments, every optional check as
 * an error), then Brook's own rules for an image that is safe to run (a subset of hadolint's,
 * which Debian does not package): pinned base images, `npm ci`, a non-root final stage,
 * exec-form CMD/ENTRYPOINT/HEALTHCHECK, absolute WORKDIRs, COPY rather than ADD.
 *
 *   npm run lint:docker [-- path/to/Dockerfile]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ValidationSeverity, validate } from "dockerfile-utils";

/** One instruction: its keyword (upper case), its arguments, and the line it starts on. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** The instructions of a Dockerfile, continuation lines joined, comments left out. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: Instruction | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (pending === undefined && (line === "" || line.startsWith("#"))) continue;
    if (pending !== undefined && line.startsWith("#")) continue;
    const continued = line.endsWith("\\");
    const body = continued ? line.slice(0, -1).trim() : line;
    if (pending === undefined) {
      const [keyword = "", ...rest] = body.split(/\s+/);
      pending = { keyword: keyword.toUpperCase(), args: rest.join(" "), line: i + 1 };
    } else {
      pending.args = `${pending.args} ${body}`.trim();
    }
    if (!continued) {
      out.push(pending);
      pending = undefined;
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** Whether an instruction's arguments are the exec (JSON array) form. */
function execForm(args: string): boolean {
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string");
  } catch {
    return false;
  }
}

/** Problems of a Dockerfile, one line each (`line 12: ...`); none when it is fine. */
export function lintDockerfile(text: string): string[] {
  const problems: string[] = [];
  const all = Object.fromEntries(
    [
      "deprecatedMaintainer",
      "directiveCasing",
      "emptyContinuationLine",
      "instructionCasing",
      "instructionCmdMultiple",
      "instructionEntrypointMultiple",
      "instructionHealthcheckMultiple",
      "instructionJSONInSingleQuotes",
      "instructionWorkdirRelative",
    ].map((k) => [k, ValidationSeverity.ERROR]),
  );
  for (const d of validate(text, all)) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);

  const list = instructions(text);
  const stages: Instruction[][] = [];
  for (const ins of list) {
    if (ins.keyword === "FROM") stages.push([]);
    stages[stages.length - 1]?.push(ins);
  }
  const at = (ins: Instruction, message: string) => problems.push(`line ${ins.line}: ${message}`);
  for (const ins of list) {
    const args = ins.args;
    switch (ins.keyword) {
      case "FROM": {
        const image = args.split(/\s+/).find((a) => !a.startsWith("--")) ?? "";
        const local = stages.some(
          (s) => s[0] !== ins && new RegExp(`\\bAS\\s+${image}$`, "i").test(s[0]!.args),
        );
        if (!local && (!image.includes(":") || image.endsWith(":latest")) && !image.includes("@")) {
          at(ins, `pin the base image "${image}" to a tag other than latest`);
        }
        break;
      }
      case "RUN":
        if (/\bnpm (install|i)\b/.test(args))
          at(ins, "use npm ci (the lockfile's exact versions), not npm install");
        if (/\bapt-get install\b/.test(args) && !/--no-install-recommends/.test(args)) {
          at(ins, "apt-get install without --no-install-recommends");
        }
        if (/\bsudo\b/.test(args)) at(ins, "do not use sudo");
        break;
      case "ADD":
        if (!/https?:\/\//.test(args) && !/\.(tar|tgz|tar\.gz)\b/.test(args))
          at(ins, "use COPY for local files, not ADD");
        break;
      case "WORKDIR":
        if (!args.startsWith("/") && !args.startsWith("$")) at(ins, `WORKDIR ${args} is not absolute`);
        break;
      case "CMD":
      case "ENTRYPOINT":
        if (!execForm(args))
          at(ins, `${ins.keyword} should be in exec form (a JSON array), so the process gets signals`);
        break;
      case "HEALTHCHECK": {
        const cmd = /\bCMD\s+(.*)$/.exec(args)?.[1];
        if (args.trim() !== "NONE" && (cmd === undefined || !execForm(cmd))) {
          at(ins, "HEALTHCHECK CMD should be in exec form (a JSON array)");
        }
        break;
      }
    }
  }
  const final = stages[stages.length - 1] ?? [];
  const user = final.filter((i) => i.keyword === "USER").at(-1);
  if (!user) problems.push("the final stage has no USER: it would run as root");
  else if (/^(root|0)(:|$)/.test(user.args)) at(user, "the final stage runs as root");
  if (!final.some((i) => i.keyword === "HEALTHCHECK")) problems.push("the final stage has no HEALTHCHECK");
  return problems;
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const path = process.argv[2] ?? "Dockerfile";
  const problems = lintDockerfile(readFileSync(path, "utf8"));
  for (const p of problems) console.error(`${path}: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(`${path}: no problems`);
}
