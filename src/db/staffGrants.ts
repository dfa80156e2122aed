import { and, eq, or, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { prepared } from "./prepared.js";
import { guilds, staffGrants, type Permission } from "./schema.js";

export interface GrantSubject {
  type: "role" | "user";
  id: string;
}

export interface GrantCheck {
  guildId: string;
  permission: Permission;
  userId: string;
  roleIds: readonly string[];
}

/** Does this member hold `permission` through their own grant or one of their roles? */
export async function hasGrant(db: Database, check: GrantCheck): Promise<boolean> {
  const rows = await prepared(db, "warden_has_grant", prepareGrantLookup).execute({
    guildId: check.guildId,
    permission: check.permission,
    userId: check.userId,
    roleIds: [...check.roleIds],
  });
  return rows.length > 0;
}

/** Runs before every command and click. */
function prepareGrantLookup(db: Database, name: string) {
  return db
    .select({ found: sql<number>`1` })
    .from(staffGrants)
    .where(
      and(
        eq(staffGrants.guildId, sql.placeholder("guildId")),
        eq(staffGrants.permission, sql.placeholder("permission")),
        or(
          and(eq(staffGrants.subjectType, "user"), eq(staffGrants.subjectId, sql.placeholder("userId"))),
          and(eq(staffGrants.subjectType, "role"), sql`${staffGrants.subjectId} = ANY(${sql.placeholder("roleIds")})`),
        ),
      ),
    )
    .limit(1)
    .prepare(name);
}

/** Idempotent: granting what is already granted changes nothing and reports false. */
export async function grantPermission(
  db: Database,
  grant: { guildId: string; subject: GrantSubject; permission: Permission; grantedBy: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.insert(guilds).values({ id: grant.guildId }).onConflictDoNothing();
    const inserted = await tx
      .insert(staffGrants)
      .values({
        guildId: grant.guildId,
        subjectType: grant.subject.type,
        subjectId: grant.subject.id,
        permission: grant.permission,
        grantedBy: grant.grantedBy,
      })
      .onConflictDoNothing()
      .returning({ id: staffGrants.id });
    return inserted.length > 0;
  });
}

/** Reports false when there was nothing to revoke. */
export async function revokePermission(
  db: Database,
  revoke: { guildId: string; subject: GrantSubject; permission: Permission },
): Promise<boolean> {
  const deleted = await db
    .delete(staffGrants)
    .where(
      and(
        eq(staffGrants.guildId, revoke.guildId),
        eq(staffGrants.permission, revoke.permission),
        eq(staffGrants.subjectType, revoke.subject.type),
        eq(staffGrants.subjectId, revoke.subject.id),
      ),
    )
    .returning({ id: staffGrants.id });
  return deleted.length > 0;
}

export type StaffGrant = Pick<typeof staffGrants.$inferSelect, "subjectType" | "subjectId" | "permission" | "grantedBy" | "createdAt">;

export async function listGrants(db: Database, guildId: string): Promise<StaffGrant[]> {
  return db
    .select({
      subjectType: staffGrants.subjectType,
      subjectId: staffGrants.subjectId,
      permission: staffGrants.permission,
      grantedBy: staffGrants.grantedBy,
      createdAt: staffGrants.createdAt,
    })
    .from(staffGrants)
    .where(eq(staffGrants.guildId, guildId))
    .orderBy(staffGrants.permission, staffGrants.subjectType, staffGrants.subjectId);
}
