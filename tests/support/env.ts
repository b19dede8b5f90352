/** Values scripts/test.ts hands to the test processes. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (scripts/test.ts starts what they need).`);
  return value;
}

export const testEnv = {
  get adminUrl() {
    return requireEnv("NEXA_TEST_ADMIN_URL");
  },
  get databaseUrl() {
    return requireEnv("DATABASE_URL");
  },
  get baseUrl() {
    return requireEnv("NEXA_TEST_BASE_URL");
  },
  get adminEmail() {
    return requireEnv("NEXA_TEST_ADMIN_EMAIL");
  },
  /** The mail catcher's HTTP API (tests/support/mail-catcher.ts). */
  get mailUrl() {
    return requireEnv("NEXA_TEST_MAIL_URL");
  },
  get adminPassword() {
    return requireEnv("NEXA_TEST_ADMIN_PASSWORD");
  },
};
