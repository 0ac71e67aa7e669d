import { Gs1ParseError, UnitConversionError } from '@medstock/core';
import {
  databaseErrorCode,
  IdempotencyClaimLostError,
  isDatabaseUnavailable,
  isTenantMoving,
  LedgerError,
} from '@medstock/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { type FieldError, ProblemError, type ProblemParams } from '../lib/problem.ts';
import {
  localiseFieldError,
  localiseProblem,
  negotiateLocale,
  type ValidationIssue,
  validationFieldErrors,
} from '../lib/problem-language.ts';

/** The schema of every error response, referenced from each route's 4xx/5xx entries. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String({
      description: 'The kind of problem, in the language negotiated from Accept-Language (zh-CN or en).',
    }),
    status: Type.Integer(),
    detail: Type.Optional(
      Type.String({ description: 'What happened, in the negotiated language, filled from `params`.' }),
    ),
    code: Type.String({ description: 'Stable machine-readable error code.' }),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'The values the title and detail are filled with (a quantity, a lot number, a resource key), for clients that word the problem themselves.',
      }),
    ),
    instance: Type.Optional(Type.String()),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Machine path of the field: `body:/lines/0/quantity`.' }),
          message: Type.String({ description: 'What is wrong with it, in the negotiated language.' }),
          code: Type.Optional(Type.String()),
          label: Type.Optional(
            Type.String({ description: "The field's name as its reader knows it (数量 / Quantity)." }),
          ),
          params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
      ),
    ),
  },
  {
    $id: 'Problem',
    additionalProperties: true,
    description:
      "RFC 9457 problem details. `title`, `detail` and the field errors' `message` and `label` are in the language of the request's Accept-Language (zh, zh-Hans, zh-CN… → zh-CN; otherwise en, also when the header is absent); the response says which in Content-Language.",
  },
);

interface ProblemInput {
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: FieldError[];
  /** Placeholder values of the catalogue words. */
  params?: ProblemParams;
  /** The catalogue entry, when not `code` (never sent). */
  messageKey?: string;
  [k: string]: unknown;
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  requestId: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

const TYPE_BASE = 'https://docs.medstock.app/problems/';

/**
 * Sends a problem in the request's language: title, detail and field messages from the
 * catalogue entry of its code (the given English words when the catalogue lacks it).
 */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, p: ProblemInput) {
  const locale = negotiateLocale(request.headers['accept-language']);
  const { messageKey, params = {}, errors, ...rest } = p;
  const key = messageKey ?? p.code;
  const words = localiseProblem(key, params, locale, { title: p.title, detail: p.detail });
  if (!words.known) request.log.warn({ code: key }, 'problem code has no catalogue entry');
  const { detail: _given, ...withoutDetail } = rest;
  const body: ProblemBody = {
    ...withoutDetail,
    title: words.title,
    ...(words.detail !== undefined ? { detail: words.detail } : {}),
    params,
    // Validation's field errors come worded and labelled already; a service's get their words here.
    ...(errors
      ? {
          errors: errors.map((e) => (e.label === undefined ? localiseFieldError(e, key, params, locale) : e)),
        }
      : {}),
    type: TYPE_BASE + p.code,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
  };
  reply.header('content-language', locale);
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${vary}, Accept-Language` : 'Accept-Language');
  return reply.status(p.status).type('application/problem+json').send(body);
}

/**
 * A body that may take one of several shapes (one record or a batch) fails every shape at once,
 * and the validator lists the complaints of all of them, plus "must match a schema in anyOf".
 * Keep the shape the caller evidently meant: the branches whose complaints do not start at the
 * top of the body (a missing or unknown top-level field means "this is the other shape"). When
 * every branch fails at the top, all complaints stay.
 */
function intendedBranch(validation: ValidationIssue[]): ValidationIssue[] {
  const branchOf = (v: ValidationIssue) => v.schemaPath?.match(/^#\/anyOf\/(\d+)\//)?.[1];
  const branches = new Set(validation.map(branchOf).filter((b) => b !== undefined));
  if (branches.size < 2) return validation;
  // A top-level field the shape does not have comes as 'additionalProperties' at the root, or
  // (strict objects compiled to `false` sub-schemas) as 'boolean' one level down.
  const depth = (v: ValidationIssue) => (v.instancePath ?? '').split('/').length - 1;
  const wrongShape = (b: string) =>
    validation.some(
      (v) =>
        branchOf(v) === b &&
        ((depth(v) === 0 &&
          (v.keyword === 'required' || v.keyword === 'additionalProperties' || v.keyword === 'type')) ||
          (depth(v) === 1 && v.keyword === 'boolean')),
    );
  const meant = [...branches].filter((b) => !wrongShape(b!));
  if (meant.length === 0) return validation;
  return validation.filter((v) => {
    const b = branchOf(v);
    return b !== undefined && meant.includes(b);
  });
}

/**
 * One complaint per field and wording: an unknown field is reported both at its parent
 * (additionalProperties) and at itself (a `false` sub-schema, keyword 'boolean'); the sender
 * needs to read it once.
 */
function distinctFieldErrors(errors: FieldError[]): FieldError[] {
  const unknown = new Set(errors.filter((e) => e.code === 'additionalProperties').map((e) => e.field));
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.code === 'boolean' && unknown.has(e.field)) return false;
    const key = `${e.field}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Postgres error classes that mean the client sent something the data does not allow.
// The fourth member picks another catalogue wording of the same code.
const PG_CLIENT_ERRORS: Record<string, [number, string, string, string?]> = {
  '23505': [409, 'conflict', 'A record with the same unique value already exists.'],
  '23503': [
    409,
    'reference_conflict',
    'The change refers to a record that does not exist or is still in use.',
  ],
  '23514': [422, 'constraint_violated', 'The change violates a data rule.'],
  '22P02': [400, 'invalid_value', 'A value has the wrong format.'],
  '22003': [400, 'value_out_of_range', 'A number is out of range.'],
  '22001': [400, 'value_too_long', 'A value is too long.'],
  '40001': [409, 'serialization_conflict', 'A concurrent change conflicted; retry the request.'],
  // Second line of defence behind the request schemas (NUL characters, dates, lengths).
  '22021': [400, 'invalid_text', 'A text value contains a character the database cannot store.'],
  '22P05': [400, 'invalid_text', 'A text value contains a character the database cannot store.'],
  '22007': [400, 'invalid_value', 'A date or time has the wrong format.', 'invalid_value.date'],
  '22008': [400, 'value_out_of_range', 'A date or time is out of range.', 'value_out_of_range.date'],
  '54000': [400, 'value_too_long', 'A value is too long.'],
};

/**
 * Errors Fastify raises before routing (an over-long path segment: 414; a malformed URL: 400)
 * answer problem details like everything else.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known: Record<string, [number, string, string, string]> = {
    FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'URI too long', 'A path segment is too long.'],
    FST_ERR_BAD_URL: [400, 'bad_url', 'Bad request', 'The URL is not valid (a malformed escape?).'],
  };
  const [status, code, title, detail] = known[error.code] ?? [
    error.statusCode && error.statusCode < 500 ? error.statusCode : 400,
    'bad_request',
    'Bad request',
    'The request could not be routed.',
  ];
  reply.header('x-request-id', request.id);
  return sendProblem(reply, request, { status, code, title, detail });
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.addSchema(Problem);

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, {
      status: 404,
      code: 'route_not_found',
      title: 'Not found',
      detail: `No route ${request.method} ${request.url.split('?')[0]}.`,
      params: { method: request.method, path: request.url.split('?')[0] ?? '' },
    }),
  );

  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    if (error instanceof ProblemError) {
      const { params: _params, messageKey: _key, ...extra } = error.extra ?? {};
      return sendProblem(reply, request, {
        ...extra,
        status: error.status,
        code: error.code,
        title: error.title,
        ...(error.detail ? { detail: error.detail } : {}),
        ...(error.errors ? { errors: error.errors } : {}),
        params: error.params,
        messageKey: error.messageKey,
      });
    }
    if (error instanceof IdempotencyClaimLostError) {
      return sendProblem(reply, request, {
        status: 409,
        code: error.code,
        title: 'Conflict',
        detail: error.message,
      });
    }
    if (error instanceof LedgerError) {
      return sendProblem(reply, request, {
        status: error.status,
        code: error.code,
        title: error.status === 409 ? 'Conflict' : 'Unprocessable content',
        detail: error.message,
        params: error.params,
        ...(error.variant ? { messageKey: `${error.code}.${error.variant}` } : {}),
        ...(error.field
          ? {
              errors: [
                {
                  field: `body:/${error.field}`,
                  message: error.message,
                  code: error.code,
                  ...(error.variant ? { messageKey: `${error.code}.${error.variant}` } : {}),
                },
              ],
            }
          : {}),
      });
    }
    // Domain errors from core carry stable dotted codes (units.not_integer, gs1.check_digit).
    if (error instanceof UnitConversionError || error instanceof Gs1ParseError) {
      const field = error instanceof UnitConversionError ? 'body:/quantity' : 'body:/scan';
      return sendProblem(reply, request, {
        status: 422,
        code: error.code.replace('.', '_'),
        title: 'Unprocessable content',
        detail: error.message,
        params: coreErrorParams(error),
        errors: [{ field, message: error.message, code: error.code }],
      });
    }
    if (error.validation) {
      const locale = negotiateLocale(request.headers['accept-language']);
      const context = error.validationContext ?? 'body';
      return sendProblem(reply, request, {
        status: 400,
        code: 'validation_failed',
        title: 'Bad request',
        detail: `The request ${context} is not valid.`,
        params: { part: context },
        errors: distinctFieldErrors(
          intendedBranch(error.validation as ValidationIssue[]).flatMap((v) =>
            validationFieldErrors(v, context, locale),
          ),
        ),
      });
    }
    // The organisation is being moved to another database cell: its writes are paused for the
    // copy (reads go on). The same request succeeds after the switch.
    if (isTenantMoving(error)) {
      reply.header('retry-after', String(error.retryAfterSeconds));
      return sendProblem(reply, request, {
        status: 503,
        code: 'tenant_moving',
        title: 'Service unavailable',
        detail: `This organisation's data is being moved to another database server; changes are paused. Retry in ${error.retryAfterSeconds} seconds.`,
        params: { seconds: error.retryAfterSeconds },
      });
    }
    // PostgreSQL down, restarting or out of connections: the same request can succeed shortly,
    // so say when to retry instead of a 500. Only the code is logged, never the error's query.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ code: databaseErrorCode(error) }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendProblem(reply, request, {
        status: 503,
        code: 'database_unavailable',
        title: 'Service unavailable',
        detail: `The database cannot be reached right now; retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds.`,
        params: { seconds: DATABASE_RETRY_AFTER_SECONDS },
      });
    }
    // Drizzle wraps driver errors; the Postgres SQLSTATE is on the cause.
    const pgCode = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    if (pgCode && PG_CLIENT_ERRORS[pgCode]) {
      const [status, code, detail, messageKey] = PG_CLIENT_ERRORS[pgCode] as [
        number,
        string,
        string,
        string?,
      ];
      // Which rule refused the change helps operators; the serializer keeps the values out.
      request.log.info({ err: error }, 'database refused the change');
      return sendProblem(reply, request, {
        status,
        code,
        title: status === 409 ? 'Conflict' : 'Bad request',
        detail,
        ...(messageKey ? { messageKey } : {}),
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const known: Record<string, string> = {
        FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
        FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_json_body',
        FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
        FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
        FST_ERR_RATE_LIMITED: 'rate_limited',
      };
      let code = (error.code && known[error.code]) ?? 'bad_request';
      if (status === 429) code = 'rate_limited';
      if (error instanceof SyntaxError) code = 'malformed_json';
      // The framework's own words (English, naming its internals) go to the log, not the client.
      request.log.info({ code: error.code, message: error.message }, 'request refused by the framework');
      return sendProblem(reply, request, {
        status,
        code,
        title: status === 429 ? 'Too many requests' : status === 413 ? 'Content too large' : 'Bad request',
        detail: error.message,
        ...(status === 429 ? { messageKey: 'rate_limited.unknown' } : {}),
        params:
          code === 'unsupported_media_type'
            ? { contentType: String(request.headers['content-type'] ?? '') }
            : {},
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, {
      status: 500,
      code: 'internal_error',
      title: 'Internal server error',
      detail: 'Something went wrong on our side; quote the request id when reporting it.',
    });
  });
});

/** The values a core domain error's words need: the unit, the quantity, the GS1 AI. */
function coreErrorParams(error: UnitConversionError | Gs1ParseError): ProblemParams {
  const out: ProblemParams = {};
  if (error instanceof UnitConversionError) {
    if (error.unit !== undefined) out.unit = error.unit;
    if (error.quantity !== undefined) out.quantity = error.quantity;
  } else if (error.ai !== undefined) out.ai = error.ai;
  return out;
}

const ACCEPT_LANGUAGE = Type.Optional(
  Type.String({
    description:
      'The language of problem details (title, detail, field messages and labels): zh, zh-Hans or zh-CN for 简体中文, en for English; English when absent. The answer names it in Content-Language.',
    examples: ['zh-CN', 'en'],
  }),
);

/**
 * A route schema with Accept-Language among its documented headers (for the OpenAPI document
 * only; the header is never validated, every value is negotiated).
 */
export function withAcceptLanguage<S>(schema: S): S {
  const s = schema as { hide?: boolean; headers?: { type?: string; properties?: Record<string, unknown> } };
  if (!s || s.hide) return schema;
  if (s.headers && s.headers.type !== 'object') return schema;
  return {
    ...s,
    headers: {
      ...(s.headers ?? {}),
      type: 'object',
      properties: { ...(s.headers?.properties ?? {}), 'accept-language': ACCEPT_LANGUAGE },
    },
  } as S;
}

/** Standard error responses to spread into a route's `response` schema. */
export const problemResponses = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
  409: Type.Ref('Problem'),
  422: Type.Ref('Problem'),
  429: Type.Ref('Problem'),
  503: Type.Ref('Problem'),
};
