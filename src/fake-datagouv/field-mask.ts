// X-Fields masks with flask-restx semantics: parse `a,b{c,d{e}},*` and apply it to a response (pure).

/** A parsed mask: field name -> true, or the nested mask of that field. */
export type Mask = Map<string, Mask | true>;

export class MaskError extends Error {
  override readonly name = 'MaskError';
}

const LEXER = /\{|\}|,|[\w:\-*]+/g;

/** Same grammar and errors as flask_restx.mask.Mask.parse; outer braces optional, other characters ignored. */
export function parseMask(input: string): Mask {
  const root: Mask = new Map();
  let text = input.replace(/\n/g, '').trim();
  if (!text) return root;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new MaskError('Missing closing bracket');
    text = text.slice(1, -1);
  }
  let fields = root;
  let previous: string | null = null;
  const stack: Mask[] = [];
  for (const token of text.match(LEXER) ?? []) {
    if (token === '{') {
      if (previous === null || !fields.has(previous)) throw new MaskError('Unexpected opening bracket');
      const nested: Mask = new Map();
      fields.set(previous, nested);
      stack.push(fields);
      fields = nested;
    } else if (token === '}') {
      const parent = stack.pop();
      if (!parent) throw new MaskError('Unexpected closing bracket');
      fields = parent;
    } else if (token === ',') {
      if (previous === null || previous === ',' || previous === '{') throw new MaskError('Unexpected comma');
    } else {
      fields.set(token, true);
    }
    previous = token;
  }
  if (stack.length > 0) throw new MaskError('Missing closing bracket');
  return root;
}

/**
 * flask-restx applies the mask to the response *model* with skip=True, then marshals. With the object's own keys as
 * the model, that gives: a masked field the object lacks is left out; a nested mask on a null value gives null; on a
 * list it applies to each element; on a scalar it is "Mask is inconsistent with model" (MaskError). Keys keep the
 * object's order; `*` adds every field the mask does not name.
 */
export function applyMask(value: unknown, mask: Mask): unknown {
  if (Array.isArray(value)) return value.map((item) => applyMask(item, mask));
  if (value === null || typeof value !== 'object') throw new MaskError('Mask is inconsistent with model');
  const source = value as Record<string, unknown>;
  const star = mask.has('*');
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    const rule = mask.get(key);
    if (rule === undefined) {
      if (star) out[key] = v;
    } else if (rule === true) {
      out[key] = v;
    } else {
      out[key] = v === null || v === undefined ? null : applyMask(v, rule);
    }
  }
  return out;
}
