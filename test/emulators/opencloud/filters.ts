/**
 * The tiny CEL subset Open Cloud list filters accept: `field == 'value'`
 * clauses, joined by `&&` only where the method allows it. Anything else
 * (other operators, unknown fields, malformed values) is INVALID_ARGUMENT.
 */
import { invalidArgument } from "./errors.js";

export interface FilterRules {
  /** Field name -> the shape its value must have. */
  fields: Record<string, RegExp>;
  allowAnd: boolean;
}

const CLAUSE = /^\s*([A-Za-z_]\w*)\s*==\s*(?:'([^']*)'|"([^"]*)")\s*$/;

export function parseFilter(raw: string | null, rules: FilterRules): Record<string, string> {
  if (raw === null || raw.trim() === "") return {};
  const clauses = raw.split("&&");
  if (clauses.length > 1 && !rules.allowAnd) throw invalidArgument(`Invalid filter "${raw}": only one clause is supported.`);
  const parsed: Record<string, string> = {};
  for (const clause of clauses) {
    const match = CLAUSE.exec(clause);
    if (match === null) throw invalidArgument(`Invalid filter "${raw}".`);
    const field = match[1] ?? "";
    const value = match[2] ?? match[3] ?? "";
    const shape = rules.fields[field];
    if (shape === undefined) throw invalidArgument(`Invalid filter "${raw}": field "${field}" is not supported.`);
    if (!shape.test(value)) throw invalidArgument(`Invalid filter "${raw}": "${value}" is not a valid ${field}.`);
    if (field in parsed) throw invalidArgument(`Invalid filter "${raw}": "${field}" given twice.`);
    parsed[field] = value;
  }
  return parsed;
}
