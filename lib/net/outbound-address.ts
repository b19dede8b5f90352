/**
 * Which network addresses outbound requests (webhook deliveries) may reach: public unicast only. Loopback, private,
 * carrier-grade NAT, link-local (cloud metadata at 169.254.169.254), multicast, unspecified, documentation and
 * reserved ranges are refused, in IPv4 and IPv6 (and IPv4 written inside IPv6: ::ffff:a.b.c.d, 64:ff9b::a.b.c.d).
 *
 * Loopback is allowed only with NEXA_ALLOW_LOOPBACK_WEBHOOKS=1, a development setting (the test suite sets it to reach
 * its receivers on 127.0.0.1); private ranges are never allowed.
 */
// Pure TypeScript (no node:net): the same rule runs in the console's forms in the browser.
type Range4 = readonly [network: string, prefix: number];
type Range6 = readonly [network: string, prefix: number];

const NOT_PUBLIC_V4: Range4[] = [
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
];
const NOT_PUBLIC_V6: Range6[] = [
  ["::", 128], // unspecified
  ["::1", 128],
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

/** A dotted-quad IPv4 address as a 32-bit number, or null. */
function ipv4Value(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** An IPv6 address as eight 16-bit groups, or null. */
function ipv6Groups(text: string): number[] | null {
  let head = text.toLowerCase();
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (dotted) {
    const v4 = ipv4Value(dotted[2]);
    if (v4 === null) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    head = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  if ([...left, ...right].some(Number.isNaN)) return null;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  return [...left, ...new Array(8 - known).fill(0), ...right, ...tail];
}

function inRange4(value: number, [network, prefix]: Range4): boolean {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((value & mask) >>> 0) === ((ipv4Value(network)! & mask) >>> 0);
}

function inRange6(groups: number[], [network, prefix]: Range6): boolean {
  const net = ipv6Groups(network)!;
  for (let bit = 0; bit < prefix; bit += 16) {
    const width = Math.min(16, prefix - bit);
    const mask = (0xffff << (16 - width)) & 0xffff;
    if ((groups[bit / 16] & mask) !== (net[bit / 16] & mask)) return false;
  }
  return true;
}

/** 4 or 6 for an IP address literal, 0 otherwise. */
function ipFamily(text: string): 0 | 4 | 6 {
  if (ipv4Value(text) !== null) return 4;
  return text.includes(":") && ipv6Groups(text) !== null ? 6 : 0;
}

const isLoopback4 = (value: number) => inRange4(value, ["127.0.0.0", 8]);
const isLoopback6 = (groups: number[]) => inRange6(groups, ["::1", 128]);

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
  const family = ipFamily(bare);
  if (family === 0) return "not_public";
  const inner = family === 6 ? embeddedIpv4(bare) : null;
  if (inner) return addressRefusal(inner);
  if (family === 4) {
    const value = ipv4Value(bare)!;
    if (isLoopback4(value)) return loopbackWebhooksAllowed() ? null : "loopback";
    return NOT_PUBLIC_V4.some((range) => inRange4(value, range)) ? "not_public" : null;
  }
  const groups = ipv6Groups(bare)!;
  if (isLoopback6(groups)) return loopbackWebhooksAllowed() ? null : "loopback";
  return NOT_PUBLIC_V6.some((range) => inRange6(groups, range)) ? "not_public" : null;
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
  if (ipFamily(bare)) return addressRefusal(bare);
  // A name made only of digits and dots that the parser did not read as an address is no usable host either.
  if (/^[0-9.]+$/.test(host) || /^0x[0-9a-f]+$/i.test(host)) return "not_public";
  return null;
}

/** Whether a URL names this machine (a loopback address or localhost). */
export function isLoopbackHost(url: URL): boolean {
  const bare = url.hostname.replace(/^\[|\]$/g, "");
  if (isLocalName(bare)) return true;
  const family = ipFamily(bare);
  if (family === 0) return false;
  const inner = family === 6 ? embeddedIpv4(bare) : null;
  if (inner) return isLoopback4(ipv4Value(inner)!);
  return family === 4 ? isLoopback4(ipv4Value(bare)!) : isLoopback6(ipv6Groups(bare)!);
}
