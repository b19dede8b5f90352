import type { Metadata } from "next";

export const metadata: Metadata = { title: "Customer portal" };

export default function PortalHome() {
  return (
    <section className="max-w-xl">
      <h1 className="text-2xl font-semibold">Your billing</h1>
      <p className="mt-3 text-slate-600">
        Open the billing link from your Nexa service&apos;s account settings to see your invoices, payment methods and usage.
      </p>
    </section>
  );
}
