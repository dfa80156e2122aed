import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIAttachment } from "discord.js";
import type { World } from "./state.js";

/** A file a member attached to a command, as the local Discord keeps it. */
export interface Upload {
  id: string;
  filename: string;
  content: Buffer;
  contentType: string | undefined;
  /** Unix ms after which its signed link no longer opens. */
  expiresAt: number;
}

export interface UploadInput {
  filename: string;
  content: Buffer | string;
  contentType?: string;
  /** How long the signed link opens; Discord's last about a day. */
  ttlMs?: number;
}

const DAY_MS = 86_400_000;
/** Discord's answer for an expired or tampered attachment link. */
const GONE = "This content is no longer available.";

/**
 * Discord's attachment CDN: files uploaded with a command get a signed link
 * (docs: reference.mdx "Signed Attachment CDN URLs": `ex` the expiry and `is`
 * the issue time as hex seconds, `hm` a signature), which opens until `ex`
 * and only as signed. Served by the local Discord's own HTTP server under `/cdn`.
 */
export class Cdn {
  private readonly uploads = new Map<string, Upload>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly world: World,
    private readonly baseUrl: () => string,
  ) {}

  upload(input: UploadInput): Upload {
    const content = typeof input.content === "string" ? Buffer.from(input.content, "utf8") : input.content;
    const upload: Upload = {
      id: this.world.ids.next(),
      filename: input.filename,
      content,
      contentType: input.contentType,
      expiresAt: Date.now() + (input.ttlMs ?? DAY_MS),
    };
    this.uploads.set(upload.id, upload);
    return upload;
  }

  get(id: string): Upload | undefined {
    return this.uploads.get(id);
  }

  /** The link expires now, as a day-old one has. */
  expire(id: string): void {
    const upload = this.uploads.get(id);
    if (upload === undefined) throw new Error(`no upload ${id}`);
    upload.expiresAt = Date.now() - 1;
  }

  /**
   * A file the bot sent with a message: served, signed, under
   * `/attachments/<channel>/<id>/<name>` as Discord's CDN serves message
   * attachments, until the message is deleted.
   */
  keepMessageFile(channelId: string, filename: string, content: Buffer, contentType: string | undefined): { id: string; url: string } {
    const upload: Upload = { id: this.world.ids.next(), filename, content, contentType, expiresAt: Date.now() + DAY_MS };
    this.uploads.set(upload.id, upload);
    return { id: upload.id, url: this.signedUrl(`/attachments/${channelId}/${upload.id}/${encodeURIComponent(filename)}`, upload) };
  }

  /** A deleted message's files stop opening. */
  forget(id: string): void {
    this.uploads.delete(id);
  }

  /** The attachment object of an interaction's `resolved.attachments`, with a freshly signed link. */
  attachmentPayload(upload: Upload): APIAttachment {
    const url = this.signedUrl(`/ephemeral-attachments/${this.world.bot.id}/${upload.id}/${encodeURIComponent(upload.filename)}`, upload);
    return {
      id: upload.id,
      filename: upload.filename,
      size: upload.content.length,
      url,
      proxy_url: url,
      ephemeral: true,
      ...(upload.contentType === undefined ? {} : { content_type: upload.contentType }),
    };
  }

  private signedUrl(path: string, upload: Upload): string {
    const ex = Math.floor(upload.expiresAt / 1_000).toString(16);
    const is = Math.floor(Date.now() / 1_000).toString(16);
    return `${this.baseUrl()}${path}?ex=${ex}&is=${is}&hm=${this.sign(path, ex, is)}&`;
  }

  /** Serves `/cdn/...`; false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? "/", "http://localhost");
    const prefix = new URL(this.baseUrl()).pathname;
    if (!url.pathname.startsWith(`${prefix}/`)) return false;
    const path = url.pathname.slice(prefix.length);
    const param = (name: string) => url.searchParams.get(name) ?? "";
    const [ex, is, hm] = [param("ex"), param("is"), param("hm")];
    const id = /^\/(?:ephemeral-attachments|attachments)\/[0-9]+\/([0-9]+)\//.exec(path)?.[1];
    const upload = id === undefined ? undefined : this.uploads.get(id);
    const signed = hm !== "" && safeEqual(hm, this.sign(path, ex, is));
    const expired = Number.parseInt(ex, 16) * 1_000 < Date.now() || (upload !== undefined && upload.expiresAt < Date.now());
    if (request.method !== "GET" || upload === undefined || !signed || expired) {
      response.writeHead(404, { "content-type": "text/plain" }).end(GONE);
      return true;
    }
    response
      .writeHead(200, { "content-type": upload.contentType ?? "application/octet-stream", "content-length": String(upload.content.length) })
      .end(upload.content);
    return true;
  }

  private sign(path: string, ex: string, is: string): string {
    return createHmac("sha256", this.secret).update(`${path}|${ex}|${is}`).digest("hex");
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
