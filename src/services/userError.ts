/**
 * A request the person can fix: a bad duration, an unknown id, a missing
 * link. Its message is written for them and shown as is.
 */
export class UserError extends Error {
  override name = "UserError";
}
