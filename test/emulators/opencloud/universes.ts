/** Cloud v2 universes and places: GetUniverse and GetPlace, read-only. */
import { ok, type CloudRequest, type CloudRoute } from "./router.js";
import type { EmulatorState } from "./state.js";
import { allowOnlyParams } from "./validation.js";

export class Universes {
  constructor(private readonly state: EmulatorState) {}

  routes(): CloudRoute[] {
    const universe = "/cloud/v2/universes/(?<universeId>[^/:]+)";
    return [
      {
        method: "GET",
        pattern: new RegExp(`^${universe}$`),
        operation: "universes.get",
        write: false,
        handle: (request) => this.getUniverse(request),
      },
      {
        method: "GET",
        pattern: new RegExp(`^${universe}/places/(?<placeId>[^/:]+)$`),
        operation: "universes.getPlace",
        write: false,
        handle: (request) => this.getPlace(request),
      },
    ];
  }

  private getUniverse(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    const universe = this.state.requireUniverse(request.params.universeId ?? "");
    const owner =
      universe.ownerGroupId !== undefined
        ? { group: `groups/${universe.ownerGroupId}` }
        : universe.ownerUserId !== undefined
          ? { user: `users/${universe.ownerUserId}` }
          : {};
    return ok({
      path: `universes/${universe.id}`,
      createTime: universe.createTime,
      updateTime: universe.createTime,
      displayName: universe.displayName,
      description: universe.description,
      ...owner,
      visibility: "PUBLIC",
      rootPlace: `universes/${universe.id}/places/${universe.placeIds[0] ?? ""}`,
    });
  }

  private getPlace(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    const { universeId = "", placeId = "" } = request.params;
    const universe = this.state.requirePlace(universeId, placeId);
    const root = universe.placeIds[0] === placeId;
    return ok({
      path: `universes/${universe.id}/places/${placeId}`,
      createTime: universe.createTime,
      updateTime: universe.createTime,
      displayName: root ? universe.displayName : `Place ${placeId}`,
      description: root ? universe.description : "",
      serverSize: 50,
      root,
      universeRuntimeCreation: false,
    });
  }
}
