import { describe, expect, it } from "vitest";
import { caseActionWord, CASE_ACTION_NAMES } from "../../src/discord/caseActionNames.js";
import { auditLogEntrySchema } from "../../src/opencloud/schemas.js";
import { caseKindOf } from "../../src/services/ranks/groupAuditLog.js";
import { caseAction } from "../../src/db/schema.js";

/** One entry as the legacy audit log sends it: the actor, the action type, a description naming the target. */
const entry = (actionType: string, description: unknown = { TargetId: 156, TargetName: "builderman" }) =>
  auditLogEntrySchema.parse({
    actor: { user: { userId: 4242, username: "WebsiteAdmin" }, role: { id: 950, name: "Moderator", rank: 50 } },
    actionType,
    description,
    created: "2026-12-03T12:00:00Z",
  });

describe("which group audit log entries become cases", () => {
  it("records a removal, a ban and an unban as the group's own actions", () => {
    expect(caseKindOf(entry("RemoveMember"))).toBe("group_remove");
    expect(caseKindOf(entry("BanMember"))).toBe("group_ban");
    expect(caseKindOf(entry("UnbanMember"))).toBe("group_unban");
  });

  it("keeps recording rank changes and join decisions as before", () => {
    expect(caseKindOf(entry("ChangeRank", { TargetId: 156, OldRoleSetId: 1, NewRoleSetId: 2 }))).toBe("rank");
    expect(caseKindOf(entry("AssignRole", { TargetId: 156, RoleSetId: 2 }))).toBe("rank");
    expect(caseKindOf(entry("AcceptJoinRequest"))).toBe("join_accept");
    expect(caseKindOf(entry("DeclineJoinRequest"))).toBe("join_decline");
  });

  it("records nothing without a target, nor for actions Warden does not follow", () => {
    expect(caseKindOf(entry("BanMember", { TargetName: "builderman" }))).toBeUndefined();
    expect(caseKindOf(entry("RemoveMember", "not an object"))).toBeUndefined();
    expect(caseKindOf(entry("UnassignRole", { TargetId: 156, RoleSetId: 2 }))).toBeUndefined();
    expect(caseKindOf(entry("LeaveGroup"))).toBeUndefined();
    expect(caseKindOf(entry("ChangeRank", { TargetId: 156 }))).toBeUndefined();
  });
});

describe("case actions in a moderator's words", () => {
  it("names every action, the group's removal, ban and unban included", () => {
    expect(Object.keys(CASE_ACTION_NAMES).sort()).toEqual([...caseAction.enumValues].sort());
    expect(caseActionWord("group_remove")).toBe("removed from the group");
    expect(caseActionWord("group_ban")).toBe("group ban");
    expect(caseActionWord("group_unban")).toBe("group unban");
    expect(caseActionWord("ban")).toBe("ban");
  });
});
