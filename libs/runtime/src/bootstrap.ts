import { NestFactory } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig, type AppConfig } from '@aidwatch/config';
import { detectionConfigFrom } from '@aidwatch/detection';
import { createLogger, PinoNestLogger, type Logger } from '@aidwatch/observability';
import { configureHttp } from './http/configure-http';
import { configureOpenApi } from './http/openapi';

export interface StartedApp {
  app: NestExpressApplication;
  config: AppConfig;
  logger: Logger;
  url: string;
}

/** Builds and starts one AidWatch HTTP application. Throws ConfigError on a bad setting. */
export async function startApp(
  name: string,
  rootModule: (config: AppConfig, logger: Logger) => DynamicModule,
  options: {
    env?: NodeJS.ProcessEnv;
    defaults?: { demo?: boolean; logPretty?: boolean; webhookPrivateTargets?: boolean; port?: number };
    host?: string;
    /**
     * The service's part in the Kafka topology (the separate ingestor: consuming the intake topics). Without
     * KAFKA_BROKERS it still starts (HTTP intake only) but says so at warn level, naming the setting.
     */
    kafkaRole?: string;
  } = {},
): Promise<StartedApp> {
  const config = loadConfig(options.env ?? process.env, options.defaults);
  try {
    detectionConfigFrom(config.detection);
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  // Data files (event store, checkpoints, keys) are readable by this user only: 0600, directories 0700.
  process.umask(0o077);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, name });
  const app = await NestFactory.create<NestExpressApplication>(rootModule(config, logger), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  configureHttp(app, logger, config);
  configureOpenApi(app, name);
  await app.listen(config.port, options.host ?? config.http.host);
  const address = app.getHttpServer().address() as { port: number };
  const host = options.host ?? config.http.host;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${address.port}`;
  const intake = config.kafka ? `HTTP and Kafka (${config.kafka.brokers.join(',')})` : 'HTTP (no Kafka)';
  logger.info(`${name} listening on ${url} (store: ${config.eventStore.kind}; intake: ${intake})`);
  if (options.kafkaRole && !config.kafka)
    logger.warn(
      `${name}: KAFKA_BROKERS is not set, so it does not do its part in the Kafka topology (${options.kafkaRole}): ` +
        'it takes events over HTTP only. Set KAFKA_BROKERS=host:port[,host:port…] (npm run kafka:start prints it).',
    );
  return { app, config, logger, url };
}

/** Entry point helper: a bad setting ends the process with a clear message and exit code 2. */
export function runMain(start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`Failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
