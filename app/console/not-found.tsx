import { StatusPage } from "@/components/layout/status-page";

export default function ConsoleNotFound() {
  return (
    <StatusPage code="404" title="Nothing here" back={{ href: "/console", label: "Back to the console" }}>
      This page does not exist, or what it showed was deleted or merged into another record. Search from the header to find it.
    </StatusPage>
  );
}
