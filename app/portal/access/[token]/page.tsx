import { PortalTokenSignIn } from "@/components/portal/portal-token-sign-in";

export default async function PortalAccess({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <PortalTokenSignIn token={token} />;
}
