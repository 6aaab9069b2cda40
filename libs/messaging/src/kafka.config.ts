export interface KafkaSaslConfig {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaTlsConfig {
  /** PEM certificates of the CAs to trust instead of the system ones. */
  ca?: string[];
  /** PEM client certificate and key, for brokers that require mutual TLS. */
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  groupId: string;
  /** `true` connects over TLS trusting the system CAs. */
  ssl?: boolean | KafkaTlsConfig;
  sasl?: KafkaSaslConfig;
}

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** The part of a pino logger the Kafka code writes to. */
export interface KafkaLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface KafkaClientOptions {
  /** Least severe client-library entry passed on (`warn`). */
  logLevel?: KafkaLogLevel;
  /** Where client-library entries go; its own console logger unless set. */
  logger?: KafkaLogger;
}
