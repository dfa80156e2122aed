/**
 * Discord's JSON error shapes (docs: reference.mdx "Error Messages",
 * topics/opcodes-and-status-codes.mdx "JSON Error Codes").
 */

export interface FieldError {
  code: string;
  message: string;
}

/** Nested by key, arrays by index as string keys; leaves hold `_errors`. */
export interface ErrorTree {
  _errors?: FieldError[];
  [key: string]: ErrorTree | FieldError[] | undefined;
}

export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ErrorTree,
  ) {
    super(message);
  }

  body(): { message: string; code: number; errors?: ErrorTree } {
    return this.errors ? { message: this.message, code: this.code, errors: this.errors } : { message: this.message, code: this.code };
  }
}

export const unknownChannel = () => new DiscordApiError(404, 10003, "Unknown Channel");
export const unknownGuild = () => new DiscordApiError(404, 10004, "Unknown Guild");
export const unknownMember = () => new DiscordApiError(404, 10007, "Unknown Member");
export const unknownMessage = () => new DiscordApiError(404, 10008, "Unknown Message");
export const unknownUser = () => new DiscordApiError(404, 10013, "Unknown User");
export const unknownWebhook = () => new DiscordApiError(404, 10015, "Unknown Webhook");
export const unknownInteraction = () => new DiscordApiError(404, 10062, "Unknown interaction");
export const unknownCommand = () => new DiscordApiError(404, 10063, "Unknown application command");
export const unknownCommandPermissions = () => new DiscordApiError(404, 10066, "Unknown application command permissions");
export const unknownApplication = () => new DiscordApiError(404, 10002, "Unknown Application");
export const botsCannotUseEndpoint = () => new DiscordApiError(403, 20001, "Bots cannot use this endpoint");
export const alreadyAcknowledged = () => new DiscordApiError(400, 40060, "Interaction has already been acknowledged.");
export const missingAccess = () => new DiscordApiError(403, 50001, "Missing Access");
export const missingPermissions = () => new DiscordApiError(403, 50013, "Missing Permissions");
export const notAuthor = () => new DiscordApiError(403, 50005, "Cannot edit a message authored by another user");
export const emptyMessage = () => new DiscordApiError(400, 50006, "Cannot send an empty message");
export const invalidWebhookToken = () => new DiscordApiError(401, 50027, "Invalid Webhook Token");
export const invalidJson = () => new DiscordApiError(400, 50109, "The request body contains invalid JSON.");
export const unauthorized = () => new DiscordApiError(401, 0, "401: Unauthorized");
export const notFound = () => new DiscordApiError(404, 0, "404: Not Found");
export const methodNotAllowed = () => new DiscordApiError(405, 0, "405: Method Not Allowed");

/** Collects field errors at paths and turns them into a 50035 Invalid Form Body. */
export class FormErrors {
  private readonly tree: ErrorTree = {};
  private count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const k = String(key);
      const next = node[k];
      if (next === undefined || Array.isArray(next)) {
        const created: ErrorTree = {};
        node[k] = created;
        node = created;
      } else {
        node = next;
      }
    }
    (node._errors ??= []).push({ code, message });
    this.count += 1;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  throwIfAny(): void {
    if (this.count > 0) throw new DiscordApiError(400, 50035, "Invalid Form Body", this.tree);
  }
}
