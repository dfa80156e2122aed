import type { Caller, KeyHandle } from "./call.js";
import { type RobloxId, toId } from "./ids.js";
import { type Place, type Universe, placeSchema, universeSchema } from "./schemas.js";

/** Names and ownership, for linking an experience and checking a place belongs to it. */
export class Universes {
  constructor(
    private readonly caller: Caller,
    private readonly key: KeyHandle,
  ) {}

  async get(universeId: RobloxId): Promise<Universe> {
    const id = toId(universeId, "universeId");
    return this.caller.call({ operation: "universes.get", host: "openCloud", method: "GET", path: `/cloud/v2/universes/${id}`, key: this.key, schema: universeSchema });
  }

  /** NotFoundError also when the place exists but belongs to another universe. */
  async getPlace(universeId: RobloxId, placeId: RobloxId): Promise<Place> {
    const universe = toId(universeId, "universeId");
    const place = toId(placeId, "placeId");
    return this.caller.call({
      operation: "universes.getPlace",
      host: "openCloud",
      method: "GET",
      path: `/cloud/v2/universes/${universe}/places/${place}`,
      key: this.key,
      schema: placeSchema,
    });
  }
}
