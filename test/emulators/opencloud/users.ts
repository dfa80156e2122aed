/**
 * Cloud v2 users: GetUser (private fields only with their scopes, otherwise
 * their default values) and GenerateUserThumbnail, a long-running operation
 * that is polled at `users/{id}/operations/{operationId}` until done.
 */
import { randomUUID } from "node:crypto";
import { grants } from "./apiKeys.js";
import { invalidArgument, notFound } from "./errors.js";
import { ok, type CloudRequest, type CloudRoute } from "./router.js";
import type { EmulatorState, ThumbnailOperation } from "./state.js";
import { allowOnlyParams } from "./validation.js";

const THUMBNAIL_SIZES = ["48", "50", "60", "75", "100", "110", "150", "180", "352", "420", "720"];
const THUMBNAIL_FORMATS = ["FORMAT_UNSPECIFIED", "PNG", "JPEG"];
const THUMBNAIL_SHAPES = ["SHAPE_UNSPECIFIED", "ROUND", "SQUARE"];
const OPERATION_TYPE = "type.googleapis.com/roblox.open_cloud.cloud.v2.GenerateUserThumbnail";

export class Users {
  constructor(
    private readonly state: EmulatorState,
    /** How many polls answer `done: false` before the operation completes. */
    private readonly pollsUntilDone: number,
  ) {}

  routes(): CloudRoute[] {
    const user = "/cloud/v2/users/(?<userId>[^/:]+)";
    return [
      {
        method: "GET",
        pattern: new RegExp(`^${user}$`),
        operation: "users.get",
        write: false,
        handle: (request) => this.getUser(request),
      },
      {
        method: "GET",
        pattern: new RegExp(`^${user}:generateThumbnail$`),
        operation: "users.generateThumbnail",
        write: false,
        handle: (request) => this.generateThumbnail(request),
      },
      {
        method: "GET",
        pattern: new RegExp(`^${user}/operations/(?<operationId>[^/:]+)$`),
        operation: "users.getOperation",
        write: false,
        handle: (request) => this.getOperation(request),
      },
    ];
  }

  private getUser(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    const user = this.state.requireUser(request.params.userId ?? "");
    const target = { userId: user.id };
    return ok({
      path: `users/${user.id}`,
      createTime: user.createTime,
      id: user.id,
      name: user.name,
      displayName: user.displayName,
      about: user.about,
      locale: user.locale,
      premium: user.premium,
      // Without the scope these read as their defaults, not as an error: false may mean "not allowed to know".
      idVerified: grants(request.key, "user.advanced:read", target) ? user.idVerified : false,
      socialNetworkProfiles: grants(request.key, "user.social:read", target) ? user.socialNetworkProfiles : {},
    });
  }

  private generateThumbnail(request: CloudRequest) {
    allowOnlyParams(request.query, ["size", "format", "shape"]);
    const user = this.state.requireUser(request.params.userId ?? "");
    const size = request.query.get("size") ?? "420";
    const format = request.query.get("format") ?? "FORMAT_UNSPECIFIED";
    const shape = request.query.get("shape") ?? "SHAPE_UNSPECIFIED";
    if (!THUMBNAIL_SIZES.includes(size)) throw invalidArgument(`Unsupported size ${size}; one of ${THUMBNAIL_SIZES.join(", ")}.`);
    if (!THUMBNAIL_FORMATS.includes(format)) throw invalidArgument(`Unsupported format ${format}.`);
    if (!THUMBNAIL_SHAPES.includes(shape)) throw invalidArgument(`Unsupported shape ${shape}.`);
    const extension = format === "JPEG" ? "Jpeg" : "Png";
    const operation: ThumbnailOperation = {
      id: randomUUID(),
      userId: user.id,
      pollsUntilDone: this.pollsUntilDone,
      imageUri: `https://tr.rbxcdn.com/emulated-${user.id}-${shape === "SQUARE" ? "square" : "round"}/${size}/${size}/AvatarHeadShot/${extension}/noFilter`,
    };
    this.state.thumbnailOperations.set(operation.id, operation);
    return ok(this.operationJson(operation));
  }

  private getOperation(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    this.state.requireUser(request.params.userId ?? "");
    const operation = this.state.thumbnailOperations.get(request.params.operationId ?? "");
    if (operation === undefined || operation.userId !== request.params.userId) {
      throw notFound(`Operation users/${request.params.userId ?? ""}/operations/${request.params.operationId ?? ""} not found.`);
    }
    if (operation.pollsUntilDone > 0) operation.pollsUntilDone -= 1;
    return ok(this.operationJson(operation));
  }

  private operationJson(operation: ThumbnailOperation) {
    const path = `users/${operation.userId}/operations/${operation.id}`;
    if (operation.pollsUntilDone > 0) {
      return { path, done: false, metadata: { "@type": `${OPERATION_TYPE}Metadata` } };
    }
    return {
      path,
      done: true,
      metadata: { "@type": `${OPERATION_TYPE}Metadata` },
      response: { "@type": `${OPERATION_TYPE}Response`, imageUri: operation.imageUri },
    };
  }
}
