import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", "node_modules/**", "lib/generated/**", ".data/**", ".scratch/**", "next-env.d.ts", "test-results/**"] },
];

export default config;
