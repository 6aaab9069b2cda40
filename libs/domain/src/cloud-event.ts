/** A CloudEvents 1.0 event as AidWatch receives and stores it. Unknown extension attributes are kept. */
export interface CloudEvent<TType extends string = string, TData = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: TType;
  subject?: string;
  time: string;
  datacontenttype?: string;
  dataschema?: string;
  data: TData;
  [extension: string]: unknown;
}

export interface FieldError {
  /** Dotted path of the offending field, e.g. `data.items.0.quantity`. */
  field: string;
  message: string;
}
