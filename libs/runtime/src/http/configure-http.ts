import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from '@aidwatch/observability';
import { ErrorBodyFilter } from './http-errors';

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
  message?: string;
}

/** Answers body-parser failures in the contract's error shape before they reach a route. */
function bodyErrors(error: BodyParserError, _req: Request, res: Response, next: NextFunction): void {
  if (error?.type === 'entity.parse.failed') {
    res
      .status(400)
      .json({ error: 'malformed JSON body', details: [{ field: 'body', message: error.message }] });
  } else if (error?.type === 'entity.too.large') {
    res.status(413).json({ error: 'body too large', details: [{ field: 'body', message: error.message }] });
  } else if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported') {
    res
      .status(415)
      .json({ error: 'unsupported body encoding', details: [{ field: 'body', message: error.message }] });
  } else {
    next(error);
  }
}

export function configureHttp(app: NestExpressApplication, logger: Logger): void {
  app.useBodyParser('json', { type: cloudEventMediaTypes, limit: '16mb' });
  app.useBodyParser('text', { type: ['text/plain', 'application/x-nmea'], limit: '16mb' });
  app.use(bodyErrors);
  app.useGlobalFilters(
    new ErrorBodyFilter((error) => logger.error({ err: error }, 'unhandled request error')),
  );
  app.enableShutdownHooks();
}
