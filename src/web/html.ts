/** Markup already escaped (built by `html`), kept as is when put into another template. */
export class SafeHtml {
  // A private member makes the type nominal: a look-alike object is not taken for escaped markup.
  private readonly escaped = true;
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolated = SafeHtml | string | number | null | undefined | readonly Interpolated[];

/**
 * A template whose every interpolated value is escaped, unless it is itself
 * `html` markup: so a value can never be put in a page unescaped by forgetting.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? "");
  });
  return new SafeHtml(text);
}

function render(value: Interpolated): string {
  if (value === null || value === undefined) return "";
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
