import { headers } from "next/headers";

/**
 * The instant console pages and actions take as "now". Always the real clock, except in a test run of the app
 * (NEXA_TEST_CLOCK=1, set only by the test harness) where a browser test may pin it with the `x-nexa-test-now` header,
 * so that pages reasoning in calendar months (migration readiness, the default cutover boundary) do not depend on the
 * date the tests run.
 */
export async function consoleNow(): Promise<Date> {
  if (process.env.NEXA_TEST_CLOCK !== "1") return new Date();
  const pinned = (await headers()).get("x-nexa-test-now");
  const at = pinned ? new Date(pinned) : null;
  return at && !Number.isNaN(at.getTime()) ? at : new Date();
}
