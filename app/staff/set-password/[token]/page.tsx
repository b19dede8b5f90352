import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { findPasswordLink, MIN_PASSWORD_LENGTH } from "@/lib/staff/staff-members";

export const metadata: Metadata = { title: "Choose your password" };
export const dynamic = "force-dynamic";

const ERRORS: Record<string, string> = {
  invalid_password: `Use ${MIN_PASSWORD_LENGTH} to 200 characters.`,
  mismatch: "The two passwords differ.",
};

/** The page a staff invitation links to: choose a password (the link works once). Posts to /api/staff/set-password. */
export default async function SetPasswordPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await params;
  const { error } = await searchParams;
  const link = await findPasswordLink(db(), token);
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="text-2xl font-semibold">Nexa Billing</h1>
      {!link ? (
        <p role="alert" className="mt-4 text-sm text-red-700">This link is unknown, expired or already used. Ask an administrator for a new invitation.</p>
      ) : (
        <form method="post" action="/api/staff/set-password" className="mt-6 space-y-4">
          <p className="text-sm text-slate-600">Choose the password for <strong>{link.staffUser.email}</strong> ({link.staffUser.role}).</p>
          <input type="hidden" name="token" value={token} />
          <label className="block text-sm font-medium">Password
            <input name="password" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} maxLength={200}
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5" />
          </label>
          <label className="block text-sm font-medium">Repeat it
            <input name="confirm" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} maxLength={200}
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5" />
          </label>
          {typeof error === "string" && ERRORS[error] ? <p role="alert" className="text-sm text-red-700">{ERRORS[error]}</p> : null}
          <button type="submit" className="w-full rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white">Set password</button>
        </form>
      )}
    </main>
  );
}
