import { Module } from '@nestjs/common';
import { HealthRegistry } from '../health.registry';
import { ObservabilityController } from './observability.controller';

@Module({ controllers: [ObservabilityController], providers: [HealthRegistry], exports: [HealthRegistry] })
export class ObservabilityHttpModule {}
