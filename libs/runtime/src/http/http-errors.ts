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

/** Every error leaves as `{error, details[]}`; unexpected ones are logged and answered 500 without internals. */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(private readonly log: (error: unknown) => void) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body && 'details' in body) {
        res.status(status).json(body);
        return;
      }
      res.status(status).json({ error: exception.message, details: [] });
      return;
    }
    this.log(exception);
    res.status(500).json({ error: 'internal error', details: [] });
  }
}
