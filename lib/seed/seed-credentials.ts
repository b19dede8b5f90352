import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Where the first admin password and the demo API keys go after seeding: to the terminal when stdout is one (a person
 * is watching), otherwise — logs, CI, a process manager — into a file only its owner can read (0600) under `.data/`,
 * with only the file's path in the output. Secrets never land in a log file by accident.
 */
export function reportSeedCredentials(
  lines: string[],
  options: { isTTY: boolean; dataDir?: string; now?: Date; print?: (line: string) => void; heading?: string },
): { printed: boolean; file?: string } {
  const print = options.print ?? ((line: string) => console.log(line));
  if (options.isTTY) {
    print(`\n  ${options.heading ?? "Demo catalog seeded"}. This login is printed only once — note it now:`);
    for (const line of lines) print(`    ${line}`);
    print("");
    return { printed: true };
  }
  const dir = path.resolve(options.dataDir ?? ".data");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `seed-credentials-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, "-")}.txt`);
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  print(`\n  ${options.heading ?? "Demo catalog seeded"}. Output is not a terminal, so the first admin password and demo API keys were written to ${file} (readable by you only). Read it, then delete it.\n`);
  return { printed: false, file };
}
