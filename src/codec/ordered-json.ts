/**
 * JSON with its key order kept. Bodies and log records are parsed with `JSON.parse`, except
 * that feature order must survive: River sums features in the order they arrive, and JS
 * objects move integer-like keys ("1", "2") to the front. When a text has such keys, it is
 * parsed again by a small order-keeping parser that records each object's keys, in wire
 * order, under {@link KEY_ORDER}. Shared by the HTTP layer (request bodies) and the store
 * (log records), so it sits below both.
 */
export const KEY_ORDER: unique symbol = Symbol("brook.keyOrder");

const INTEGER_KEY = /"(?:0|[1-9]\d*)"\s*:/;

export class JsonSyntaxError extends Error {}

/** Valid JSON nested deeper than the limit: refused before anything recursive (a parser, a serializer, a channel) meets it. */
export class JsonDepthError extends Error {
  constructor(readonly limit: number) {
    super(`the body is nested deeper than ${limit} levels`);
  }
}

/**
 * Whether `text` opens more than `max` arrays or objects inside each other (strings skipped).
 * Valid JSON needs two characters per level, so short texts are not scanned at all.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  if (text.length <= 2 * max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string, escapes included.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}

/**
 * Parses JSON text; objects with integer-like keys carry their wire key order. With
 * `maxDepth`, text nested deeper is refused ({@link JsonDepthError}) before it is parsed.
 */
export function parseOrderedJson(text: string, maxDepth = Number.POSITIVE_INFINITY): unknown {
  if (maxDepth !== Number.POSITIVE_INFINITY && nestedDeeperThan(text, maxDepth))
    throw new JsonDepthError(maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message);
  }
  return INTEGER_KEY.test(text) ? new OrderedParser(text).parse() : value;
}

/** Keys of `obj` in the order they arrived. */
export function keysInOrder(obj: object): string[] {
  return (obj as { [KEY_ORDER]?: string[] })[KEY_ORDER] ?? Object.keys(obj);
}

/** A strict JSON parser (the text is already known to be valid) that keeps key order. */
class OrderedParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): unknown {
    return this.value();
  }

  private ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i]!)) this.i++;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    // Numbers, true, false, null: take the literal and let JSON.parse read it.
    const start = this.i;
    while (this.i < this.s.length && !",]} \t\n\r".includes(this.s[this.i]!)) this.i++;
    return JSON.parse(this.s.slice(start, this.i));
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === "\\" ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private object(): object {
    const obj: Record<string, unknown> = {};
    const order: string[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return obj;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      this.i++; // ':'
      const v = this.value();
      if (!Object.hasOwn(obj, key)) order.push(key);
      Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      if (this.s[this.i++] === "}") break;
    }
    Object.defineProperty(obj, KEY_ORDER, { value: order, enumerable: false });
    return obj;
  }

  private array(): unknown[] {
    const arr: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return arr;
    }
    for (;;) {
      arr.push(this.value());
      this.ws();
      if (this.s[this.i++] === "]") break;
    }
    return arr;
  }
}
