import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrorCode, DomainException } from './domain.exception';

export interface ErrorBody {
  code: string;
  message: string;
  correlationId: string;
  [detail: string]: unknown;
}

const CODE_BY_STATUS: Partial<Record<number, CommonErrorCode>> = {
  400: CommonErrorCode.ValidationFailed,
  401: CommonErrorCode.Unauthenticated,
  403: CommonErrorCode.Forbidden,
  404: CommonErrorCode.NotFound,
  409: CommonErrorCode.Conflict,
  413: CommonErrorCode.PayloadTooLarge,
  415: CommonErrorCode.UnsupportedMediaType,
  503: CommonErrorCode.Unavailable,
};

/** Renders every error as `{ code, message, correlationId }`; never leaks internals. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = this.render(exception, request.id);
    if (status >= 500) {
      this.logger.error({ err: exception, correlationId: request.id }, 'unhandled error');
    }
    void reply.status(status).send(body);
  }

  private render(exception: unknown, correlationId: string): { status: number; body: ErrorBody } {
    if (exception instanceof DomainException) {
      return {
        status: exception.status,
        body: {
          code: exception.code,
          message: exception.message,
          correlationId,
          ...exception.details,
        },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? String(response.message)
          : exception.message;
      return {
        status,
        body: { code: CODE_BY_STATUS[status] ?? `HTTP_${status}`, message, correlationId },
      };
    }
    // Fastify's own errors (body too large, bad JSON, unsupported content type) carry a 4xx code.
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        status: fastifyStatus,
        body: {
          code: CODE_BY_STATUS[fastifyStatus] ?? `HTTP_${fastifyStatus}`,
          message: (exception as Error).message,
          correlationId,
        },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: {
        code: CommonErrorCode.Internal,
        message: 'Internal error; quote the correlationId when reporting it.',
        correlationId,
      },
    };
  }
}
