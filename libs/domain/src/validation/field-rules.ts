// class-transformer's @Type reads design-time types through the Reflect metadata API.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsObject,
  isISO8601,
  isRFC3339,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { MEDIA_TYPE } from './context-attributes';

/**
 * The longest list each kind of `data` field may hold (docs/contract.md, Envelope): a consignment's item
 * lines, an exemption's items and sites, a planned route's points, a designation's aliases, a verification's
 * evidence digests. One event must not cost the service (and every organisation on it) seconds of detection:
 * a detector rule may raise a flag per item line.
 */
export const ListLimits = {
  items: 500,
  exemptionItems: 1000,
  sites: 1000,
  routePoints: 1000,
  aliases: 100,
  evidence: 100,
} as const;

/** The largest quantity of an item line (10^12 of its unit): sums of such lines stay exact and finite. */
export const MAX_QUANTITY = 1e12;

/** The patterns behind the string rules below; the JSON Schemas of the catalogue use the same ones. */
export const FieldPatterns = {
  mmsi: /^\d{9}$/,
  imo: /^\d{7}$/,
  // UN/LOCODE: ISO 3166 country code, then three letters or digits 2-9.
  locode: /^[A-Z]{2}[A-Z2-9]{3}$/,
  sha256Hex: /^[0-9a-fA-F]{64}$/,
  // Harmonized System code: 4-digit heading, then up to three pairs of digits, optionally dot-separated.
  hsCode: /^\d{4}(\.?\d{2}){0,3}$/,
  mediaType: MEDIA_TYPE,
  // RFC 3986 §3: an absolute URI starts with a scheme and a colon; no white space anywhere.
  absoluteUri: /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/,
} as const;
const MMSI = FieldPatterns.mmsi;
const IMO = FieldPatterns.imo;
const LOCODE = FieldPatterns.locode;
const SHA256_HEX = FieldPatterns.sha256Hex;
const HS_CODE = FieldPatterns.hsCode;

const AIS_HEADING_NOT_AVAILABLE = 511;

/** Absent is fine; `null` is not, so an optional field is always either missing or well-formed. */
export function IsOptionalField(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** RFC 3339 date-time with a zone (`Z` or an offset) that names a real calendar day. */
export function isEventTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  // Every event carries a few: the common form is judged here, any other by the two general validators.
  if (COMMON_TIME.test(value) && commonTimeIsReal(value)) return true;
  return isRFC3339(value) && isISO8601(value, { strict: true });
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, years 1000-9999, upper-case `T` and `Z`: the form nearly every
 * producer sends. What it accepts (with `commonTimeIsReal`) the general validators accept too; what it does not is left to them.
 */
const COMMON_TIME =
  /^[1-9]\d{3}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the date part of a string matching COMMON_TIME names a real calendar day (Gregorian leap years). */
function commonTimeIsReal(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

export function IsEventTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isEventTime',
    validator: {
      validate: isEventTime,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an RFC 3339 date-time with a zone, e.g. 2024-03-01T06:00:00Z`,
    },
  });
}

export function IsNonEmptyString(): PropertyDecorator {
  return ValidateBy({
    name: 'isNonEmptyString',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.trim().length > 0,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be a non-empty string`,
    },
  });
}

function matching(name: string, pattern: RegExp, what: string): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => typeof value === 'string' && pattern.test(value),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be ${what}`,
    },
  });
}

export const IsMmsi = (): PropertyDecorator => matching('isMmsi', MMSI, 'a 9-digit MMSI string');
export const IsImo = (): PropertyDecorator => matching('isImo', IMO, 'a 7-digit IMO number string');
export const IsLocode = (): PropertyDecorator =>
  matching('isLocode', LOCODE, 'a UN/LOCODE of 5 upper-case characters, e.g. KPNAM');
export const IsSha256Hex = (): PropertyDecorator =>
  matching('isSha256Hex', SHA256_HEX, 'a SHA-256 digest in hex (64 characters)');
export const IsHsCode = (): PropertyDecorator =>
  matching('isHsCode', HS_CODE, 'an HS code of 4 to 10 digits, e.g. 2106.90');

export const IsMediaType = (): PropertyDecorator =>
  matching('isMediaType', FieldPatterns.mediaType, 'a media type (RFC 2045), e.g. application/json');
export const IsAbsoluteUri = (): PropertyDecorator =>
  matching('isAbsoluteUri', FieldPatterns.absoluteUri, 'an absolute URI (RFC 3986), e.g. https://…');

export function IsSha256HexEach(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isSha256HexEach',
    constraints: [max],
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.length <= max &&
        value.every((v) => typeof v === 'string' && SHA256_HEX.test(v)),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an array of at most ${max} SHA-256 digests in hex (64 characters each)`,
    },
  });
}

/** An array of non-empty strings (e.g. the other names a designated vessel is listed under). */
export function IsNonEmptyStringEach(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isNonEmptyStringEach',
    constraints: [max],
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.length <= max &&
        value.every((v) => typeof v === 'string' && v.trim().length > 0),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an array of at most ${max} non-empty strings`,
    },
  });
}

/** A finite number within [min, max]: one check instead of IsNumber + Min + Max, for the hot AIS path. */
export function IsNumberWithin(min: number, max = Infinity): PropertyDecorator {
  const range = max === Infinity ? `of at least ${min}` : `between ${min} and ${max}`;
  return ValidateBy({
    name: 'isNumberWithin',
    constraints: [min, max],
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be a number ${range}`,
    },
  });
}

export function IsIntegerWithin(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isIntegerWithin',
    constraints: [min, max],
    validator: {
      validate: (value: unknown) =>
        Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an integer between ${min} and ${max}`,
    },
  });
}

export function IsAisHeading(): PropertyDecorator {
  return ValidateBy({
    name: 'isAisHeading',
    validator: {
      validate: (value: unknown) =>
        Number.isInteger(value) &&
        (((value as number) >= 0 && (value as number) <= 359) || value === AIS_HEADING_NOT_AVAILABLE),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an integer between 0 and 359, or 511 (not available)`,
    },
  });
}

/** The decorated time must not precede the time in `otherProperty`; format errors are reported elsewhere. */
export function IsNotBefore(otherProperty: string): PropertyDecorator {
  return ValidateBy({
    name: 'isNotBefore',
    constraints: [otherProperty],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const other = (args?.object as Record<string, unknown> | undefined)?.[otherProperty];
        if (!isEventTime(value) || !isEventTime(other)) return true;
        return Date.parse(value) >= Date.parse(other);
      },
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must not be before ${otherProperty}`,
    },
  });
}

const dtosWithNestedFields = new WeakSet<object>();

/**
 * Whether `dto` (or a base class) declares nested DTOs. Only those need class-transformer to build
 * nested instances; flat ones are filled by Object.assign, several times faster on the AIS path.
 */
export function hasNestedFields(dto: new () => object): boolean {
  for (
    let c: unknown = dto;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    if (dtosWithNestedFields.has(c)) return true;
  }
  return false;
}

const nestedDtos = new WeakMap<object, Map<string, () => new () => object>>();

function nested(dto: () => new () => object, decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    dtosWithNestedFields.add(target.constructor);
    let fields = nestedDtos.get(target.constructor);
    if (!fields) nestedDtos.set(target.constructor, (fields = new Map()));
    fields.set(String(key), dto);
    decorators.forEach((decorate) => decorate(target, key));
  };
}

/** The DTO of a nested field (declared with IsArrayOf / IsNestedObject) of `dto` or a base class. */
export function nestedDtoOf(dto: new () => object, property: string): (new () => object) | undefined {
  for (
    let c: unknown = dto;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    const thunk = nestedDtos.get(c)?.get(property);
    if (thunk) return thunk();
  }
  return undefined;
}

const NOT_AN_OBJECT = { message: 'must be an object' };

// ValidateNested walks into an element that is itself an array, so `[[]]` would pass; other elements that
// are not objects it names by index itself.
function EachIsObject(): PropertyDecorator {
  return ValidateBy({
    name: 'eachIsObject',
    validator: {
      validate: (value: unknown) => !Array.isArray(value) || !value.some((v) => Array.isArray(v)),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must hold objects, not arrays`,
    },
  });
}

/** An array of at most `options.max` objects, each validated against `dto`. */
export function IsArrayOf(
  dto: () => new () => object,
  options: { max: number; nonEmpty?: boolean },
): PropertyDecorator {
  const decorators = [
    IsArray(),
    ArrayMaxSize(options.max, { message: `$property must hold at most ${options.max} entries` }),
    EachIsObject(),
    ValidateNested({ each: true, ...NOT_AN_OBJECT }),
    Type(dto),
  ];
  return nested(
    dto,
    options.nonEmpty
      ? [...decorators, ArrayNotEmpty({ message: '$property must not be empty' })]
      : decorators,
  );
}

export function IsNestedObject(dto: () => new () => object): PropertyDecorator {
  return nested(dto, [IsObject(), ValidateNested(NOT_AN_OBJECT), Type(dto)]);
}
