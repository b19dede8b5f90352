import { StatusPage } from "@/components/layout/status-page";

export default function PortalNotFound() {
  return (
    <StatusPage code="404" title="Nothing here" back={{ href: "/portal", label: "Back to your account" }}>
      This page does not exist, or it belongs to another account.
    </StatusPage>
  );
}
