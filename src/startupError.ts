/**
 * A failure at start-up that the person running the bot can fix (a variable,
 * a database, a token). Entry points print its message alone, without a stack.
 */
export class StartupError extends Error {
  override name = "StartupError";
}
