import { z } from "zod";

/** What Discord answers to a message Warden posts: only its id is kept. */
export const createdMessage = z.object({ id: z.string() });

/**
 * A posted message's embeds, read back to edit it with a decision: the parts that survive the edit,
 * zod-checked, as anything read back from Discord.
 */
export const postedEmbeds = z.object({
  embeds: z.array(
    z.object({
      title: z.string().optional(),
      url: z.string().optional(),
      description: z.string().optional(),
      color: z.number().optional(),
      thumbnail: z.object({ url: z.string() }).optional(),
      fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).optional(),
      footer: z.object({ text: z.string() }).optional(),
      timestamp: z.string().optional(),
    }),
  ),
});
