import { raw, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@aidwatch/config';
import type { Logger } from '@aidwatch/observability';
import { ApiError, ErrorBodyFilter } from './http-errors';
import { jsonDepthExceeds } from './json-depth';

export const cloudEventMediaTypes = [
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  // Binary mode (ce- headers) may carry data in any JSON media type, e.g. application/vnd.example+json.
  'application/*+json',
  'text/json',
];

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
  message?: string;
}

const refuse = (res: Response, status: number, error: string, message: string) =>
  res.status(status).json({ error, details: [{ field: 'body', message }] });

/**
 * Answers body-parser failures in the contract's error shape before they reach a route; any other
 * client error of the body (a gzip body that is not gzip, an aborted upload) keeps its 4xx status.
 */
function bodyErrors(error: BodyParserError, _req: Request, res: Response, next: NextFunction): void {
  const answer = bodyErrorAnswer(error);
  if (answer) refuse(res, ...answer);
  else next(error);
}

/** The status, error and message a body failure is answered with; undefined for a server-side error. */
function bodyErrorAnswer(error: BodyParserError): [number, string, string] | undefined {
  const status = error?.status ?? error?.statusCode;
  if (error?.type === 'entity.parse.failed') return [400, 'malformed JSON body', error.message ?? ''];
  if (error?.type === 'entity.too.large') return [413, 'body too large', error.message ?? ''];
  if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported')
    return [415, 'unsupported body encoding', error.message ?? ''];
  if (error?.code?.startsWith('Z_') || error?.code === 'ERR_BROTLI_DECOMPRESSION_FAILED')
    return [400, 'undecodable Content-Encoding', 'the body is not valid for its Content-Encoding'];
  if (status !== undefined && status >= 400 && status < 500)
    return [status, 'unreadable body', error.message ?? ''];
  return undefined;
}

/** A body in any charset but UTF-8 (or its subset US-ASCII) is refused with 415 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
function utf8Only(req: Request, res: Response, next: NextFunction): void {
  const contentType = req.headers['content-type'];
  const charset = contentType && /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  // US-ASCII is UTF-8 too (every ASCII byte means the same in both).
  if (charset && !/^(utf-?8|us-ascii|ascii)$/i.test(charset)) {
    refuse(res, 415, 'unsupported charset', `charset ${charset} is not supported; send UTF-8`);
    return;
  }
  next();
}

/**
 * JSON nested deeper than an event may (`LIMIT_JSON_DEPTH`), plus one level for a batch's array around
 * events, is refused before any route walks it (400). The events themselves are held to the limit by the
 * intake, as decoded (`eventDepthRejection`), as Kafka's are.
 */
function depthLimit(eventDepth: number) {
  const maxDepth = eventDepth + 1;
  return (req: Request, res: Response, next: NextFunction): void => {
    // Parsed JSON only: a raw body (a sanctions list's bytes) is a Buffer, not a tree to walk.
    const body: unknown = req.body;
    if (
      body !== null &&
      typeof body === 'object' &&
      !Buffer.isBuffer(body) &&
      jsonDepthExceeds(body, maxDepth)
    ) {
      refuse(
        res,
        400,
        'body nested too deeply',
        `a request body may nest at most ${maxDepth} levels (LIMIT_JSON_DEPTH, and one more for a batch)`,
      );
      return;
    }
    next();
  };
}

/** Largest sanctions list file `POST /sanctions/import` accepts (bytes). */
export const SANCTIONS_BODY_BYTES = 48 * 1024 * 1024;

/** The media types a sanctions list file is posted as. */
export const sanctionsMediaTypes = ['text/csv', 'application/xml', 'text/xml'];

/**
 * The body of `POST /sanctions/import`, read by the route itself once the caller is known to be an operator
 * (no middleware reads it: an unauthenticated client sending 48 MiB holds no memory). `undefined` when the
 * media type is not a list file's. An identity-encoded body with a `Content-Length` is read straight into
 * one buffer of that length — each chunk copied as it arrives, so no single copy of tens of megabytes blocks
 * the loop at the end, and the buffer owns its memory, so the parser's worker thread takes it without a
 * copy; any other (gzip, deflate, br, chunked) goes through body-parser's `raw`. Rejects with an `ApiError`:
 * 413 over `SANCTIONS_BODY_BYTES`, 400 for a body cut short or undecodable, 415 for an unknown encoding.
 */
export async function readSanctionsBody(req: Request): Promise<Buffer | undefined> {
  if (!req.is(sanctionsMediaTypes)) return undefined;
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  const known =
    req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0;
  if (encoding === 'identity' && known) {
    if (declared > SANCTIONS_BODY_BYTES)
      throw new ApiError(413, 'body too large', [
        { field: 'body', message: `a sanctions list file may be at most ${SANCTIONS_BODY_BYTES} bytes` },
      ]);
    return readDeclaredLength(req, declared);
  }
  return new Promise<Buffer>((resolve, reject) =>
    raw({ type: sanctionsMediaTypes, limit: SANCTIONS_BODY_BYTES })(
      req,
      {} as Response,
      (error?: unknown) => {
        if (error === undefined) resolve(req.body as Buffer);
        else reject(apiErrorOfBody(error as BodyParserError));
      },
    ),
  );
}

function readDeclaredLength(req: Request, declared: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.allocUnsafeSlow(declared);
    let at = 0;
    // Node's parser delivers no more than Content-Length.
    req.on('data', (chunk: Buffer) => {
      at += chunk.copy(body, at);
    });
    const cutOff = () =>
      reject(new ApiError(400, 'unreadable body', [{ field: 'body', message: 'the upload was cut off' }]));
    // A client gone mid-upload: 'close' without 'end' (after 'end' the promise is settled already), or
    // gone before this route started to read.
    if (req.destroyed || req.readableAborted) {
      cutOff();
      return;
    }
    req.once('error', cutOff);
    req.once('aborted', cutOff);
    req.once('close', cutOff);
    req.socket?.once('close', cutOff);
    req.once('end', () =>
      at === declared
        ? resolve(body)
        : reject(
            new ApiError(400, 'unreadable body', [
              { field: 'body', message: 'the body is shorter than its Content-Length' },
            ]),
          ),
    );
  });
}

/** A body-parser failure as the contract's error (the same answers `bodyErrors` gives). */
function apiErrorOfBody(error: BodyParserError): ApiError {
  const [status, title, message] = bodyErrorAnswer(error) ?? [400, 'unreadable body', error?.message ?? ''];
  return new ApiError(status, title, [{ field: 'body', message }]);
}

/**
 * The HTTP shell every app shares: `trust proxy` from `TRUST_PROXY`, security headers (helmet), no `X-Powered-By`, CORS for the origins of
 * `CORS_ORIGINS` only, UTF-8 bodies of at most `LIMIT_BODY_BYTES` (413 before parsing), JSON at most
 * `LIMIT_JSON_DEPTH` deep, and errors in the contract's `{error, details[]}` shape with at most
 * `LIMIT_ERROR_DETAILS` details.
 */
export function configureHttp(app: NestExpressApplication, logger: Logger, config: AppConfig): void {
  app.disable('x-powered-by');
  // The client address (`req.ip`, what per-address limits count) comes from `X-Forwarded-For` only when
  // the connection is from a configured proxy (`TRUST_PROXY`); off by default.
  app.set('trust proxy', config.http.trustProxy);
  // helmet's default CSP but without `upgrade-insecure-requests`: over plain HTTP (npm start, a host name on
  // a LAN) it sent the Swagger UI's and the console's own scripts to https, where nothing listens.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  const origins = new Set(config.http.corsOrigins);
  app.enableCors({
    origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    maxAge: 600,
  });
  // A preflight from an origin not on the list is answered (without CORS headers), never routed to a 404.
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.method === 'OPTIONS' ? res.status(204).end() : next(),
  );
  app.use(utf8Only);
  const limit = config.limits.bodyBytes;
  app.useBodyParser('json', { type: cloudEventMediaTypes, limit });
  app.useBodyParser('text', { type: ['text/plain', 'application/x-nmea'], limit, defaultCharset: 'utf-8' });
  // Sanctions list files (OFAC's full SDN.XML is about 30 MB) are read by their route once the caller is
  // known (`readSanctionsBody`), never here.
  app.use(bodyErrors);
  app.use(depthLimit(config.limits.jsonDepth));
  app.useGlobalFilters(
    new ErrorBodyFilter(
      (error) => logger.error({ err: error }, 'unhandled request error'),
      config.limits.errorDetails,
    ),
  );
  app.enableShutdownHooks();
}
