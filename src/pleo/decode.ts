/**
 * Reads a 2xx body against its schema. A body that is not JSON or not of the
 * documented shape becomes a {@link SchemaError}, kept apart from transport
 * errors because retrying will not fix it.
 */
import type { z } from 'zod';
import { type ErrorContext, SchemaError } from '../errors.js';
import { truncate } from './classify.js';
import { redact } from './credentials.js';

const BODY_EXCERPT_CHARS = 80;

export interface DecodeContext extends ErrorContext {
  method: string;
  path: string;
  /** The body may hold a secret: no excerpt of it in the message. */
  sensitive?: boolean | undefined;
  /** Redacted from the excerpt, should the server echo the credentials. */
  secrets?: readonly string[] | undefined;
}

/**
 * Parses `text` as JSON and validates it.
 *
 * @example
 * const { data } = decodeJson(text, JobEnvelopeSchema, { method: 'GET', path });
 */
export function decodeJson<S extends z.ZodType>(
  text: string,
  schema: S,
  context: DecodeContext,
): z.infer<S> {
  const { sensitive, secrets = [], ...errorContext } = context;
  const where = `${context.method} ${context.path}`;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A proxy's HTML error page is the usual culprit; a short excerpt says
    // so. The SyntaxError is not kept: V8 quotes the body in its message.
    const quoted = JSON.stringify(truncate(redact(text, secrets), BODY_EXCERPT_CHARS));
    const excerpt = sensitive ? '' : `: ${quoted}`;
    throw new SchemaError(`Pleo's answer to ${where} is not JSON${excerpt}.`, {
      ...errorContext,
      issues: ['body is not JSON'],
    });
  }

  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    throw new SchemaError(`Pleo's answer to ${where} has an unexpected shape.`, {
      ...errorContext,
      issues,
    });
  }
  return parsed.data;
}

/**
 * Checks one record of a page; a failure names its page and index.
 *
 * @example
 * const where = { method: 'GET', path, page: 1, index: 0 };
 * const item = decodeRecord(ExportJobItemSchema, record, where);
 */
export function decodeRecord<S extends z.ZodType>(
  schema: S,
  record: unknown,
  where: ErrorContext & { method: string; path: string; page: number; index: number },
): z.infer<S> {
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;

  const { page, index, ...context } = where;
  throw new SchemaError(
    `Pleo's answer to ${where.method} ${where.path} has an unreadable record ` +
      `(page ${page}, index ${index}).`,
    { ...context, issues: formatIssues(parsed.error.issues) },
  );
}

/** One line per issue, `path: message`, e.g. `data.0.createdAt: Required`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}
