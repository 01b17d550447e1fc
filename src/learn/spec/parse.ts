import { SpecError } from "../base/errors.js";

/**
 * The River-like spec language:
 *
 *   spec  := union ("|" union)*            a | b       → Pipeline
 *   union := term ("+" term)*              a + b       → TransformerUnion
 *   term  := call | "(" spec ")"
 *   call  := Name ["(" [arg ("," arg)*] ")"]   Name may be dotted (preprocessing.StandardScaler)
 *   arg   := [name "="] value
 *   value := number | string | True | False | None | "[" values "]" | spec
 *
 * As in Python, "+" binds tighter than "|".
 */
export type Ast =
  | { type: "call"; name: string; args: Arg[]; pos: number }
  | { type: "pipe"; items: Ast[]; pos: number }
  | { type: "union"; items: Ast[]; pos: number }
  | { type: "number"; value: number; pos: number }
  | { type: "string"; value: string; pos: number }
  | { type: "boolean"; value: boolean; pos: number }
  | { type: "null"; pos: number }
  | { type: "list"; items: Ast[]; pos: number };

export interface Arg {
  name: string | undefined;
  value: Ast;
  pos: number;
}

type Token =
  | { t: "name"; v: string; pos: number }
  | { t: "number"; v: number; pos: number }
  | { t: "string"; v: string; pos: number }
  | { t: "punct"; v: string; pos: number }
  | { t: "end"; pos: number };

const NUMBER = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ("()|+,=[]".includes(c)) {
      // A sign directly before a digit after "=", "(", "," or "[" starts a number.
      const prev = tokens[tokens.length - 1];
      const signed = (c === "+" || c === "-") && prev?.t === "punct" && "=(,[".includes(prev.v);
      if (!signed) {
        tokens.push({ t: "punct", v: c, pos: i });
        i++;
        continue;
      }
    }
    const rest = src.slice(i);
    const num = NUMBER.exec(rest);
    if (num && (/[\d.]/.test(c) || c === "-" || c === "+")) {
      const text = num[0].replaceAll("_", "");
      const v = Number(text);
      if (!Number.isFinite(v)) throw new SpecError(`number "${num[0]}" is out of range`, i);
      tokens.push({ t: "number", v, pos: i });
      i += num[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ t: "name", v: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new SpecError("unterminated string", i);
      tokens.push({ t: "string", v: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    throw new SpecError(`unexpected character "${c}"`, i);
  }
  tokens.push({ t: "end", pos: src.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === "punct" && t.v === v;
  }

  private expect(v: string): void {
    const t = this.peek();
    if (t.t !== "punct" || t.v !== v)
      throw new SpecError(`expected "${v}" but found ${describeToken(t)}`, t.pos);
    this.i++;
  }

  parseAll(): Ast {
    const ast = this.spec();
    const t = this.peek();
    if (t.t !== "end") throw new SpecError(`unexpected ${describeToken(t)}`, t.pos);
    return ast;
  }

  private spec(): Ast {
    const first = this.union();
    if (!this.isPunct("|")) return first;
    const items = [first];
    while (this.isPunct("|")) {
      this.next();
      items.push(this.union());
    }
    return { type: "pipe", items, pos: first.pos };
  }

  private union(): Ast {
    const first = this.term();
    if (!this.isPunct("+")) return first;
    const items = [first];
    while (this.isPunct("+")) {
      this.next();
      items.push(this.term());
    }
    return { type: "union", items, pos: first.pos };
  }

  private term(): Ast {
    const t = this.peek();
    if (t.t === "punct" && t.v === "(") {
      this.next();
      const inner = this.spec();
      this.expect(")");
      return inner;
    }
    if (t.t === "name") return this.call();
    throw new SpecError(`expected an estimator name but found ${describeToken(t)}`, t.pos);
  }

  private call(): Ast {
    const t = this.next() as Extract<Token, { t: "name" }>;
    const args: Arg[] = [];
    if (this.isPunct("(")) {
      this.next();
      while (!this.isPunct(")")) {
        args.push(this.arg());
        if (!this.isPunct(",")) break;
        this.next();
      }
      this.expect(")");
    }
    return { type: "call", name: t.v, args, pos: t.pos };
  }

  private arg(): Arg {
    const t = this.peek();
    const after = this.tokens[this.i + 1];
    if (t.t === "name" && after?.t === "punct" && after.v === "=") {
      this.i += 2;
      return { name: t.v, value: this.value(), pos: t.pos };
    }
    return { name: undefined, value: this.value(), pos: t.pos };
  }

  private value(): Ast {
    const t = this.peek();
    if (t.t === "number") {
      this.next();
      return { type: "number", value: t.v, pos: t.pos };
    }
    if (t.t === "string") {
      this.next();
      return { type: "string", value: t.v, pos: t.pos };
    }
    if (t.t === "name" && ["True", "true", "False", "false"].includes(t.v)) {
      this.next();
      return { type: "boolean", value: t.v.toLowerCase() === "true", pos: t.pos };
    }
    if (t.t === "name" && (t.v === "None" || t.v === "null")) {
      this.next();
      return { type: "null", pos: t.pos };
    }
    if (t.t === "punct" && t.v === "[") {
      this.next();
      const items: Ast[] = [];
      while (!this.isPunct("]")) {
        items.push(this.value());
        if (!this.isPunct(",")) break;
        this.next();
      }
      this.expect("]");
      return { type: "list", items, pos: t.pos };
    }
    return this.spec();
  }
}

function describeToken(t: Token): string {
  switch (t.t) {
    case "end":
      return "the end of the spec";
    case "name":
      return `"${t.v}"`;
    case "number":
      return `the number ${t.v}`;
    case "string":
      return `the string "${t.v}"`;
    case "punct":
      return `"${t.v}"`;
  }
}

/** Deepest nesting of parentheses and brackets in a spec (real ones nest a few levels). */
export const MAX_SPEC_DEPTH = 64;

/** Parses a spec string into a syntax tree (names are not resolved yet). */
export function parseSpecString(src: string): Ast {
  if (src.trim() === "") throw new SpecError("the model spec is empty");
  const tokens = tokenize(src);
  // The parser recurses per level: refuse what could exhaust the stack, with a position.
  let depth = 0;
  for (const t of tokens) {
    if (t.t !== "punct") continue;
    if (t.v === "(" || t.v === "[") {
      if (++depth > MAX_SPEC_DEPTH)
        throw new SpecError(`the spec is nested deeper than ${MAX_SPEC_DEPTH} levels`, t.pos);
    } else if (t.v === ")" || t.v === "]") depth--;
  }
  return new Parser(tokens).parseAll();
}
