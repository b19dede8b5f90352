import { expect } from "vitest";
import { DomainError } from "@/lib/errors";
import { testDb } from "./api-fixture";

// For tests of the domain modules against the test database. Services they create are named "Test …", like the API
// fixture's, so that the seeded services stay on the first page of the console's list (staff-auth.test.ts reads it).

/** Awaits a domain call that must be refused; returns its DomainError. */
export async function domainRefusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The demo admin seeded into the test database, to act as in console actions. */
export async function seededStaffId(): Promise<string> {
  return (await testDb().staffUser.findFirstOrThrow({ orderBy: { createdAt: "asc" } })).id;
}
