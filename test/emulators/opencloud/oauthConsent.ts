/**
 * What a person does on the emulated Roblox authorization page, as plain HTTP:
 * sign in with a username, then press Authorize (or Cancel). For tests that
 * need no real browser; the browser tests click the same forms.
 */
export interface Consent {
  /** Where Roblox sends the browser back: the app's redirect URL with `code` and `state`, or `error`. */
  location: string;
  /** The emulated Roblox session cookie, to consent again without signing in. */
  robloxCookie: string;
}

export async function consentAs(authorizeUrl: string, username: string, action: "consent" | "deny" = "consent"): Promise<Consent> {
  const url = new URL(authorizeUrl);
  const post = (form: Record<string, string>, cookie?: string) =>
    fetch(new URL(url.pathname, url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie === undefined ? {} : { cookie }) },
      body: new URLSearchParams([...url.searchParams, ...Object.entries(form)]),
    });
  const signedIn = await post({ action: "signin", username });
  const setCookie = signedIn.headers.get("set-cookie");
  if (signedIn.status !== 303 || setCookie === null) throw new Error(`signing in as ${username} failed: ${signedIn.status} ${await signedIn.text()}`);
  const robloxCookie = setCookie.split(";")[0] ?? "";
  const answered = await post({ action }, robloxCookie);
  const location = answered.headers.get("location");
  if (answered.status !== 302 || location === null) throw new Error(`the authorization page answered ${answered.status}: ${await answered.text()}`);
  return { location, robloxCookie };
}
