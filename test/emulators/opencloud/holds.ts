/**
 * Requests held on arrival until the test lets them through: a slow link to
 * the endpoints a test picks, for exactly as long as it needs. A delay
 * (faults.ts) slows every call for a fixed time, and a caller's own timeout
 * soon cuts it short; a hold keeps one call in flight while the rest of the
 * world goes on.
 */
import type { ReceivedCall } from "./server.js";

export type CallPredicate = (call: ReceivedCall) => boolean;

interface Hold {
  matches: CallPredicate;
  released: Promise<void>;
  release(): void;
}

export class CallHolds {
  private readonly holds = new Set<Hold>();

  /** Holds every request matching `matches` from now on; the function returned lets them all through. */
  hold(matches: CallPredicate): () => void {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold: Hold = { matches, released, release };
    this.holds.add(hold);
    return () => {
      this.holds.delete(hold);
      hold.release();
    };
  }

  /** Resolves once no hold the call matches is left. */
  async pass(call: ReceivedCall): Promise<void> {
    for (const hold of [...this.holds]) {
      if (hold.matches(call)) await hold.released;
    }
  }
}
