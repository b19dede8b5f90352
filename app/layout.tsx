import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Nexa Billing", template: "%s · Nexa Billing" },
  description: "One billing ledger for every Nexa service",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en-CA">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
