import { StatusPage } from "@/components/layout/status-page";

export default function NotFound() {
  return (
    <main className="px-6">
      <StatusPage code="404" title="Nothing here" back={{ href: "/", label: "Back to Nexa Billing" }}>
        This address does not exist. Staff: the console is at /console. Customers: your account is at /portal.
      </StatusPage>
    </main>
  );
}
