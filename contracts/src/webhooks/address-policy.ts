import ipaddr from 'ipaddr.js';

/**
 * Which addresses a SaaS webhook may reach: public unicast only. ipaddr.js keeps the IANA
 * special-purpose registries (loopback, private, link-local with the cloud metadata address,
 * carrier-grade NAT, 192.0.0.0/24, benchmarking 198.18.0.0/15, the TEST-NETs, multicast,
 * reserved, unique-local ...), so we do not keep a list of our own.
 *
 * IPv6 forms that carry an IPv4 address inside (IPv4-mapped, IPv4-compatible, NAT64 well-known
 * and local-use prefixes, 6to4) are unwrapped and the IPv4 address is classified: otherwise
 * `[64:ff9b::7f00:1]` would reach 127.0.0.1 through a NAT64 gateway.
 */
export function isPublicUnicast(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const embedded = embeddedIpv4(parsed as ipaddr.IPv6);
  if (embedded) return embedded.range() === 'unicast';
  return parsed.range() === 'unicast';
}

/** Stands for "embeds an address we cannot locate": never allowed. */
const REFUSED = ipaddr.IPv4.parse('0.0.0.0');

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that embed one. */
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = v6.parts;
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return ipv4From(p[6]!, p[7]!);
  // NAT64: the well-known 64:ff9b::/96 carries the IPv4 address in its last 32 bits. The
  // local-use 64:ff9b:1::/48 may put it elsewhere, so it is refused as a whole.
  if (range === 'rfc6052') return p[2] === 0 ? ipv4From(p[6]!, p[7]!) : REFUSED;
  if (range === '6to4') return ipv4From(p[1]!, p[2]!);
  // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks); :: and ::1 are
  // classified as themselves.
  if (p.slice(0, 6).every((x) => x === 0) && range !== 'unspecified' && range !== 'loopback')
    return ipv4From(p[6]!, p[7]!);
  return null;
}

/** Host names that always mean this machine, whatever DNS says. */
export function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}
