import { IsIn } from 'class-validator';
import { IsAbsoluteUri, IsEventTime, IsMediaType, IsNonEmptyString, IsOptionalField } from './field-rules';

/** The CloudEvents 1.0 context attributes AidWatch requires; `data` is checked against its type's DTO. */
export class CloudEventEnvelopeDto {
  @IsIn(['1.0'], { message: 'specversion must be "1.0"' })
  specversion!: '1.0';

  @IsNonEmptyString()
  id!: string;

  @IsNonEmptyString()
  source!: string;

  @IsNonEmptyString()
  type!: string;

  @IsEventTime()
  time!: string;

  @IsOptionalField()
  @IsNonEmptyString()
  subject?: string;

  @IsOptionalField()
  @IsMediaType()
  datacontenttype?: string;

  @IsOptionalField()
  @IsAbsoluteUri()
  dataschema?: string;
}
