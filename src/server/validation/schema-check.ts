/**
 * Request bodies checked against their route's schema (TypeBox, i.e. JSON Schema), compiled
 * once, and the first violation turned into a Brook problem that names the field the way the
 * rest of the API does (`instances[1].id`), with a message written for people.
 *
 * Parts of a schema can be marked {@link semantic}: they are documented (OpenAPI shows them)
 * but left to the route's own validation, because what they accept depends on the model
 * (which feature values it takes, which targets fit its task) and needs the wire key order.
 */
import { Kind, type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler, type ValueError, ValueErrorType } from "@sinclair/typebox/compiler";
import { brookError, type ErrorName } from "../../errors.js";

const SEMANTIC = "x-brook-semantic";
const MESSAGE = "x-brook-message";
const ERRORS = "x-brook-errors";

/** How a violation of one keyword is reported: the error and the text after the field's path. */
type KeywordError = [ErrorName, string];

export interface BrookSchemaOptions {
  /** What the value must be, as the end of a sentence: `must be a non-negative integer`. */
  message?: string;
  /** Errors for particular keywords (`minItems`, `maxItems`, ...): code and text. */
  errors?: Partial<Record<Keyword, KeywordError>>;
}

type Keyword =
  | "required"
  | "type"
  | "minItems"
  | "maxItems"
  | "minLength"
  | "maxLength"
  | "pattern"
  | "minimum"
  | "maximum";

/** Adds Brook's error texts to a schema (kept as `x-` keywords, which OpenAPI allows). */
export function described<T extends TSchema>(schema: T, options: BrookSchemaOptions): T {
  const out: Record<string, unknown> = { ...schema };
  if (options.message) out[MESSAGE] = options.message;
  if (options.errors) out[ERRORS] = options.errors;
  return out as T;
}

/** Marks a schema as documentation only: the route validates that value itself. */
export function semantic<T extends TSchema>(schema: T): T {
  return { ...schema, [SEMANTIC]: true } as T;
}

/** The schema with every semantic part replaced by "anything" (what is compiled). */
function structural(schema: TSchema): TSchema {
  const s = schema as TSchema & Record<string, unknown>;
  // Keep the error texts: a missing semantic field is still reported by the schema.
  if (s[SEMANTIC]) return Type.Unknown(s[ERRORS] ? { [ERRORS]: s[ERRORS] } : {});
  const out: Record<string | symbol, unknown> = { ...s, [Kind]: s[Kind] };
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties as Record<string, TSchema>).map(([k, v]) => [k, structural(v)]),
    );
  }
  if (s.items && !Array.isArray(s.items)) out.items = structural(s.items as TSchema);
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    if (Array.isArray(s[key])) out[key] = (s[key] as TSchema[]).map(structural);
  }
  return out as unknown as TSchema;
}

/** `/instances/1/id` → `instances[1].id` (the paths error bodies and messages use). */
export function fieldPath(pointer: string): string {
  let out = "";
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(key) ? `[${key}]` : out === "" ? key : `.${key}`;
  }
  return out;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  return `${typeof v === "number" ? "the number" : typeof v} ${String(v)}`;
}

const KEYWORD: Partial<Record<ValueErrorType, Keyword>> = {
  [ValueErrorType.ArrayMinItems]: "minItems",
  [ValueErrorType.ArrayMaxItems]: "maxItems",
  [ValueErrorType.StringMinLength]: "minLength",
  [ValueErrorType.StringMaxLength]: "maxLength",
  [ValueErrorType.StringPattern]: "pattern",
  [ValueErrorType.NumberMinimum]: "minimum",
  [ValueErrorType.NumberMaximum]: "maximum",
  [ValueErrorType.IntegerMinimum]: "minimum",
  [ValueErrorType.IntegerMaximum]: "maximum",
};

/** The problem for the first violation of a schema. */
function problemFor(e: ValueError) {
  const path = fieldPath(e.path);
  const schema = e.schema as TSchema & Record<string, unknown>;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    const expected = Object.keys((schema.properties as object | undefined) ?? {});
    return brookError(
      "INVALID_REQUEST",
      `unknown field "${path}" (expected ${expected.map((k) => `"${fieldPath(`/${k}`)}"`).join(", ")})`,
      { path },
    );
  }
  if (e.type === ValueErrorType.ObjectRequiredProperty) {
    // TypeBox reports the missing property's own schema.
    const custom = (schema[ERRORS] as BrookSchemaOptions["errors"])?.required;
    if (custom) return brookError(custom[0], `${path} ${custom[1]}`, { path });
    return brookError("INVALID_REQUEST", `${path} is required`, { path });
  }
  if (path === "") {
    return brookError("INVALID_REQUEST", `the body must be a JSON object, got ${kindOf(e.value)}`);
  }
  const keyword = KEYWORD[e.type] ?? "type";
  const custom = (schema[ERRORS] as BrookSchemaOptions["errors"])?.[keyword];
  if (custom) return brookError(custom[0], `${path} ${custom[1]}`, { path });
  const message = (schema[MESSAGE] as string | undefined) ?? `is not valid (${e.message.toLowerCase()})`;
  return brookError("INVALID_REQUEST", `${path} ${message}`, { path });
}

/** A compiled check of request bodies: throws the problem of the first violation. */
export type BodyCheck = (body: unknown) => void;

export function compileCheck(schema: TSchema): BodyCheck {
  const compiled = TypeCompiler.Compile(structural(schema));
  return (body) => {
    if (compiled.Check(body)) return;
    throw problemFor(compiled.Errors(body).First()!);
  };
}
