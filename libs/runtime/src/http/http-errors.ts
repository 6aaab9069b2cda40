import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  ValidationPipe,
  type ExceptionFilter,
  type ValidationError,
} from '@nestjs/common';
import type { Response } from 'express';
import type { FieldError } from '@aidwatch/domain';

/** The contract's error body: `{error, details[]}`. */
export class ApiError extends HttpException {
  constructor(status: number, error: string, details: unknown[] = []) {
    super({ error, details }, status);
  }
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

export const queryValidationPipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (errors) => new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', flatten(errors)),
});

/**
 * Caps an error body: at most `max` details, and at most `max` nested `errors` in each; what was left out
 * is counted in `moreDetails` / `moreErrors`, so a huge bad batch cannot produce a huge answer.
 */
export function capDetails(
  body: { error: unknown; details: unknown[] },
  max: number,
): Record<string, unknown> {
  const capped = body.details.slice(0, max).map((detail) => {
    if (detail === null || typeof detail !== 'object') return detail;
    const { errors, moreErrors } = detail as { errors?: unknown; moreErrors?: unknown };
    if (!Array.isArray(errors) || errors.length <= max) return detail;
    // Errors the detail already counted as left out (`moreErrors`) stay counted.
    const before = typeof moreErrors === 'number' ? moreErrors : 0;
    return { ...detail, errors: errors.slice(0, max), moreErrors: errors.length - max + before };
  });
  const more = body.details.length - capped.length;
  return { ...body, details: capped, ...(more > 0 ? { moreDetails: more } : {}) };
}

/** Every error leaves as `{error, details[]}`; unexpected ones are logged and answered 500 without internals. */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(
    private readonly log: (error: unknown) => void,
    private readonly maxDetails = 20,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    // An error body is JSON even where the handler declared another type (e.g. application/schema+json).
    res.type('application/json');
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body && 'details' in body) {
        const details = (body as { details: unknown }).details;
        res
          .status(status)
          .json(
            Array.isArray(details)
              ? capDetails(body as { error: unknown; details: unknown[] }, this.maxDetails)
              : body,
          );
        return;
      }
      res.status(status).json({ error: exception.message, details: [] });
      return;
    }
    this.log(exception);
    res.status(500).json({ error: 'internal error', details: [] });
  }
}
