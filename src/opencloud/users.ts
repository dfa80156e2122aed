import type { Caller, KeyHandle } from "./call.js";
import { UnavailableError, UnexpectedResponseError, errorFromRpcStatus } from "./errors.js";
import { type RobloxId, toId } from "./ids.js";
import { type RobloxUser, type ThumbnailOperation, thumbnailOperationSchema, userSchema } from "./schemas.js";

export type ThumbnailSize = 48 | 50 | 60 | 75 | 100 | 110 | 150 | 180 | 352 | 420 | 720;

export interface ThumbnailOptions {
  /** Pixels per side; Roblox's default is 420. */
  size?: ThumbnailSize;
  format?: "PNG" | "JPEG";
  /** Roblox's default is ROUND. */
  shape?: "ROUND" | "SQUARE";
}

/** Polls of a thumbnail operation before giving up; the pauses double up to 8 backoff bases, ~47 bases in all. */
const MAX_OPERATION_POLLS = 8;
const MAX_POLL_PAUSE_BASES = 8;

const OPERATION_PATH = /^users\/\d+\/operations\/[A-Za-z0-9_-]+$/;

export class Users {
  constructor(
    private readonly caller: Caller,
    private readonly key: KeyHandle,
  ) {}

  /**
   * Public profile plus the fields the key's scopes unlock. `idVerified` and
   * `socialNetworkProfiles` carry `mayBeHidden`: without the scope Roblox
   * answers false/empty rather than an error.
   */
  async get(userId: RobloxId): Promise<RobloxUser> {
    const id = toId(userId, "userId");
    return this.caller.call({
      operation: "users.get",
      host: "openCloud",
      method: "GET",
      path: `/cloud/v2/users/${id}`,
      key: this.key,
      schema: userSchema,
    });
  }

  /** The avatar thumbnail's URL, waiting (bounded) for Roblox's long-running operation to finish. */
  async generateThumbnail(userId: RobloxId, options: ThumbnailOptions = {}): Promise<string> {
    const id = toId(userId, "userId");
    let operation = await this.caller.call({
      operation: "users.generateThumbnail",
      host: "openCloud",
      method: "GET",
      path: `/cloud/v2/users/${id}:generateThumbnail`,
      query: { size: options.size, format: options.format, shape: options.shape },
      key: this.key,
      schema: thumbnailOperationSchema,
    });
    for (let poll = 0; !operation.done; poll++) {
      if (poll >= MAX_OPERATION_POLLS) {
        throw new UnavailableError({ operation: "users.generateThumbnail", reason: "timeout", robloxMessage: "the thumbnail was still being generated" });
      }
      if (!OPERATION_PATH.test(operation.path)) {
        throw new UnexpectedResponseError({ operation: "users.generateThumbnail", problem: "the operation path is not a user operation" });
      }
      await this.caller.sleep(this.caller.backoffBaseMs * Math.min(2 ** poll, MAX_POLL_PAUSE_BASES));
      operation = await this.poll(operation.path);
    }
    if (operation.error) throw errorFromRpcStatus("users.generateThumbnail", operation.error.code, operation.error.message);
    const imageUri = operation.response?.imageUri;
    if (!imageUri) throw new UnexpectedResponseError({ operation: "users.generateThumbnail", problem: "the finished operation has no imageUri" });
    return imageUri;
  }

  private poll(path: string): Promise<ThumbnailOperation> {
    return this.caller.call({
      operation: "users.getOperation",
      host: "openCloud",
      method: "GET",
      path: `/cloud/v2/${path}`,
      key: this.key,
      schema: thumbnailOperationSchema,
    });
  }
}
