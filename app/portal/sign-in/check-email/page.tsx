import type { Metadata } from "next";

export const metadata: Metadata = { title: "Check your e-mail · Customer portal" };

export default function CheckEmail() {
  return (
    <section className="max-w-xl">
      <h1 className="text-2xl font-semibold">Check your e-mail</h1>
      <p className="mt-3 text-slate-600">If the address is on a billing account, a sign-in link is on its way. It works once, for 15 minutes.</p>
    </section>
  );
}
