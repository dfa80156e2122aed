import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientAddress } from "../../src/web/clientAddress.js";

describe("clientAddress", () => {
  it("is the peer when nothing is forwarded", () => {
    expect(clientAddress("203.0.113.9", undefined)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", undefined)).toBe("127.0.0.1");
    expect(clientAddress(undefined, undefined)).toBe("");
  });

  it("believes a proxy on loopback or a private network about the player's address", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddress("::ffff:10.1.2.3", "198.51.100.4")).toBe("198.51.100.4");
    expect(clientAddress("::1", "2001:db8::5")).toBe("2001:db8::5");
    // Two proxies (a load balancer, then nginx), each appending the address it saw.
    expect(clientAddress("192.168.0.2", "198.51.100.4, 172.16.5.5")).toBe("198.51.100.4");
    expect(clientAddress("fd00::1", ["198.51.100.4", "10.0.0.9"])).toBe("198.51.100.4");
  });

  it("never believes a player who connects from the internet", () => {
    expect(clientAddress("203.0.113.9", "127.0.0.1")).toBe("203.0.113.9");
    expect(clientAddress("172.32.0.1", "198.51.100.4")).toBe("172.32.0.1");
    expect(clientAddress("11.0.0.1", "198.51.100.4")).toBe("11.0.0.1");
  });

  it("stops at the first address no proxy of ours could be, whatever the player wrote to its left", () => {
    expect(clientAddress("127.0.0.1", "1.2.3.4, 203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddress("127.0.0.1", "not-an-address, 10.0.0.1")).toBe("not-an-address");
    expect(clientAddress("127.0.0.1", "10.0.0.1, 10.0.0.2")).toBe("10.0.0.1");
  });

  it("names a player by the outermost proxy's view, however many fake hops the player prepends", () => {
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { maxLength: 5 }), fc.ipV4().filter((ip) => !/^(127|10|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(ip)), (forged, real) => {
        expect(clientAddress("127.0.0.1", [...forged, real].join(", "))).toBe(real);
      }),
    );
  });
});
