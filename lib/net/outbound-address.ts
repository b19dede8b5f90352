import { BlockList, isIP } from "node:net";

/**
 * Which network addresses outbound requests (webhook deliveries) may reach: public unicast only. Loopback, private,
 * carrier-grade NAT, link-local (cloud metadata at 169.254.169.254), multicast, unspecified, documentation and
 * reserved ranges are refused, in IPv4 and IPv6 (and IPv4 written inside IPv6: ::ffff:a.b.c.d, 64:ff9b::a.b.c.d).
 *
 * Loopback is allowed only with NEXA_ALLOW_LOOPBACK_WEBHOOKS=1, a development setting (the test suite sets it to reach
 * its receivers on 127.0.0.1); private ranges are never allowed.
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", 0.0.0.0 unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128],
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");
}

export function loopbackWebhooksAllowed(): boolean {
  return process.env.NEXA_ALLOW_LOOPBACK_WEBHOOKS === "1";
}

/** The IPv4 address carried inside an IPv4-mapped, -compatible or NAT64 IPv6 address, if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

export type AddressRefusal = "loopback" | "not_public";

/** Why an IP address may not be reached, or null when it may. */
export function addressRefusal(address: string): AddressRefusal | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 0) return "not_public";
  const inner = family === 6 ? embeddedIpv4(bare) : null;
  if (inner) return addressRefusal(inner);
  const type = family === 4 ? "ipv4" : "ipv6";
  if (LOOPBACK.check(bare, type)) return loopbackWebhooksAllowed() ? null : "loopback";
  return NOT_PUBLIC.check(bare, type) ? "not_public" : null;
}

/** Host names that always mean this machine or its local network, whatever DNS says. */
function isLocalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/**
 * Why a URL's host may not be reached before any DNS lookup (a literal address, however it was written: the URL parser
 * has already turned decimal, octal and hex IPv4 forms into dotted quads), or null. Names are checked again after
 * resolution at delivery time.
 */
export function hostRefusal(url: URL): AddressRefusal | null {
  const host = url.hostname;
  if (isLocalName(host)) return loopbackWebhooksAllowed() ? null : "loopback";
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return addressRefusal(bare);
  // A name made only of digits and dots that the parser did not read as an address is no usable host either.
  if (/^[0-9.]+$/.test(host) || /^0x[0-9a-f]+$/i.test(host)) return "not_public";
  return null;
}

/** Whether a URL names this machine (a loopback address or localhost). */
export function isLoopbackHost(url: URL): boolean {
  const bare = url.hostname.replace(/^\[|\]$/g, "");
  if (isLocalName(bare)) return true;
  const family = isIP(bare);
  if (family === 0) return false;
  const inner = family === 6 ? embeddedIpv4(bare) : null;
  return inner ? LOOPBACK.check(inner, "ipv4") : LOOPBACK.check(bare, family === 4 ? "ipv4" : "ipv6");
}
