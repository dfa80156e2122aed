import { BlockList, isIPv4 } from "node:net";

/**
 * Addresses a reverse proxy in front of Warden connects from: loopback and the
 * private ranges. Only a proxy there may name the player's address in
 * X-Forwarded-For; a player connecting straight from the internet cannot.
 */
const PROXIES = new BlockList();
PROXIES.addSubnet("127.0.0.0", 8, "ipv4");
PROXIES.addSubnet("10.0.0.0", 8, "ipv4");
PROXIES.addSubnet("172.16.0.0", 12, "ipv4");
PROXIES.addSubnet("192.168.0.0", 16, "ipv4");
PROXIES.addAddress("::1", "ipv6");
PROXIES.addSubnet("fc00::", 7, "ipv6");

function isProxy(address: string): boolean {
  const plain = address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
  try {
    return PROXIES.check(plain, isIPv4(plain) ? "ipv4" : "ipv6");
  } catch {
    // Not an address at all (a forged header's junk): never a proxy.
    return false;
  }
}

/**
 * The address a request came from, for the per-address appeal limit. Behind a
 * reverse proxy (the README's setup, for TLS) every connection comes from the
 * proxy, so its X-Forwarded-For is read from the right, past each proxy hop,
 * to the first address no proxy of ours could be: the one the outermost proxy
 * saw. Entries left of it were written by the player and are not believed.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const hops = [...forwarded, peer ?? ""];
  let index = hops.length - 1;
  while (index > 0 && isProxy(hops[index] ?? "")) index--;
  return hops[index] ?? "";
}
