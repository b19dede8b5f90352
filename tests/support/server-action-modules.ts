import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SOURCE_DIRS = ["app", "lib", "components"];

/** A file whose first statement is the "use server" directive: every export of it is a server action. */
function isServerActionModule(file: string): boolean {
  const text = readFileSync(file, "utf8");
  const withoutComments = text.replace(/^(\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/))*\s*/, "");
  return /^["']use server["']/.test(withoutComments);
}

function walk(dir: string, out: string[], keep: (file: string) => boolean = isServerActionModule) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out, keep);
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts") && keep(full)) out.push(full);
  }
}

/** Every "use server" module of the app, found from the source tree (paths relative to the repository root). */
export function serverActionModules(): string[] {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) walk(path.join(ROOT, dir), files);
  return files.map((f) => path.relative(ROOT, f)).sort();
}

export const repositoryRoot = ROOT;

/** Files that declare a server action inline (a "use server" directive inside a function body). */
export function inlineServerActionFiles(): string[] {
  const files: string[] = [];
  const inline = (file: string) => !isServerActionModule(file) && /^\s+["']use server["'];?\s*$/m.test(readFileSync(file, "utf8"));
  for (const dir of SOURCE_DIRS) walk(path.join(ROOT, dir), files, inline);
  return files.map((f) => path.relative(ROOT, f)).sort();
}
