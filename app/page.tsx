import Link from "next/link";

export default function Home() {
  return (
    <main className="mx-auto max-w-2xl px-6 py-24">
      <h1 className="text-3xl font-semibold">Nexa Billing</h1>
      <p className="mt-3 text-slate-600">One billing ledger for every Nexa service.</p>
      <div className="mt-8 flex gap-4">
        <Link href="/console" className="rounded-md bg-slate-900 px-4 py-2 text-white hover:bg-slate-700">
          Staff console
        </Link>
        <Link href="/portal" className="rounded-md border border-slate-300 px-4 py-2 hover:bg-white">
          Customer portal
        </Link>
      </div>
    </main>
  );
}
