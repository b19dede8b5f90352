"use client";

import { signOut } from "next-auth/react";

export function SignOutButton({ callbackUrl = "/signin" }: { callbackUrl?: string }) {
  return (
    <button type="button" onClick={() => signOut({ callbackUrl })}
      className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
      Sign out
    </button>
  );
}
