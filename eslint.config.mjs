import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  // Server actions bound for useActionState receive the previous state whether they use it or not.
  { rules: { "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_" }] } },
  { ignores: [".next/**", "node_modules/**", "lib/generated/**", ".data/**", ".scratch/**", "next-env.d.ts", "test-results/**"] },
];

export default config;
