import { raw, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@aidwatch/config';
import type { Logger } from '@aidwatch/observability';
import { ErrorBodyFilter } from './http-errors';
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
  const status = error?.status ?? error?.statusCode;
  if (error?.type === 'entity.parse.failed') refuse(res, 400, 'malformed JSON body', error.message ?? '');
  else if (error?.type === 'entity.too.large') refuse(res, 413, 'body too large', error.message ?? '');
  else if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported')
    refuse(res, 415, 'unsupported body encoding', error.message ?? '');
  else if (error?.code?.startsWith('Z_') || error?.code === 'ERR_BROTLI_DECOMPRESSION_FAILED')
    refuse(res, 400, 'undecodable Content-Encoding', 'the body is not valid for its Content-Encoding');
  else if (status !== undefined && status >= 400 && status < 500)
    refuse(res, status, 'unreadable body', error.message ?? '');
  else next(error);
}

/** A body in any charset but UTF-8 is refused with 415 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
function utf8Only(req: Request, res: Response, next: NextFunction): void {
  const contentType = req.headers['content-type'];
  const charset = contentType && /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    refuse(res, 415, 'unsupported charset', `charset ${charset} is not supported; send UTF-8`);
    return;
  }
  next();
}

/** JSON nested deeper than the limit is refused before any route walks it (400). */
function depthLimit(maxDepth: number) {
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
        `JSON may nest at most ${maxDepth} levels (LIMIT_JSON_DEPTH)`,
      );
      return;
    }
    next();
  };
}

/** Largest sanctions list file `POST /sanctions/import` accepts (bytes). */
export const SANCTIONS_BODY_BYTES = 48 * 1024 * 1024;

/** The media types a sanctions list file is posted as. */
const sanctionsMediaTypes = ['text/csv', 'application/xml', 'text/xml'];

/**
 * A sanctions list's bytes read straight into one buffer of the length the request declares: each chunk is
 * copied as it arrives, so no single copy of tens of megabytes blocks the loop at the end (as concatenating the
 * chunks does), and the buffer owns its memory, so the parser's worker thread takes it without a copy. Only an
 * identity-encoded body with a `Content-Length` (what curl and HTTP clients send for a file); any other body is
 * left to body-parser's `raw`. Over the limit: 413 before anything is read.
 */
function bytesOfDeclaredLength(limit: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const declared = Number(req.headers['content-length']);
    if (
      req.method !== 'POST' ||
      !req.is(sanctionsMediaTypes) ||
      encoding !== 'identity' ||
      req.headers['content-length'] === undefined ||
      !Number.isSafeInteger(declared) ||
      declared < 0
    ) {
      next();
      return;
    }
    if (declared > limit) {
      res.setHeader('connection', 'close');
      refuse(res, 413, 'body too large', `a sanctions list file may be at most ${limit} bytes`);
      return;
    }
    const body = Buffer.allocUnsafeSlow(declared);
    let at = 0;
    req.on('data', (chunk: Buffer) => {
      // Node's parser delivers no more than Content-Length; a body that says otherwise is cut off by it.
      at += chunk.copy(body, at);
    });
    // A client gone mid-upload: nothing to answer, nothing handed on.
    req.once('error', () => undefined);
    req.once('end', () => {
      if (at !== declared) {
        refuse(res, 400, 'unreadable body', 'the body is shorter than its Content-Length');
        return;
      }
      req.body = body;
      // body-parser's own flag: the body is read, `raw` leaves it alone.
      (req as Request & { _body?: boolean })._body = true;
      next();
    });
  };
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
  // Sanctions list files (OFAC's full SDN.XML is about 30 MB), on their one route only: kept as bytes (UTF-8,
  // as `utf8Only` ensures), decoded by the parser on its worker thread, never on this loop.
  app.use('/sanctions/import', bytesOfDeclaredLength(SANCTIONS_BODY_BYTES));
  app.use('/sanctions/import', raw({ type: sanctionsMediaTypes, limit: SANCTIONS_BODY_BYTES }));
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
