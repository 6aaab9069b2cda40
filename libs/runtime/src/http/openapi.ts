import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI for every endpoint: the document at `/docs-json`, a browsable UI at `/docs` (served locally). */
export function configureOpenApi(app: INestApplication, title: string): void {
  const config = new DocumentBuilder()
    .setTitle(`AidWatch ${title}`)
    .setDescription(
      'Monitoring of humanitarian aid shipped under UN sanctions exemptions. See docs/contract.md.',
    )
    .setVersion('1.1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key or JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
