import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SanctionsFormatError } from './sanctions-list';

export type XmlNode = { [name: string]: unknown };

/**
 * Parses an XML document into plain objects (fast-xml-parser): namespace prefixes removed, attributes
 * under `@_name`, element text as strings (no number guessing: `0123` stays `0123`), the elements named in
 * `repeated` always arrays. Throws `SanctionsFormatError` for a document that is not well-formed XML or
 * that declares a DTD (entity expansion); the five predefined entities and character references are read.
 */
export function parseXml(text: string, repeated: readonly string[], what: string): XmlNode {
  // The published lists declare no DTD; one in a file could define entities that expand without bound.
  if (/<!(DOCTYPE|ENTITY)\b/i.test(text))
    throw new SanctionsFormatError(`not ${what}: a document type declaration (DTD) is not accepted`);
  const depth = nestingDepth(text);
  if (depth > MAX_XML_DEPTH)
    throw new SanctionsFormatError(
      `not ${what}: elements nested ${depth} deep (more than ${MAX_XML_DEPTH}; the published lists nest about 10)`,
    );
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new SanctionsFormatError(
      `not ${what}: the XML is not well-formed (line ${valid.err.line}: ${xmlProblem(valid.err.msg)})`,
    );
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => repeated.includes(name),
  });
  return parser.parse(text) as XmlNode;
}

/**
 * The validator's message in words a reader of the file can act on: elements left open at the end of the
 * file (the validator lists them as `Invalid '["a","b"]' found.`) are named as a path, the file most likely
 * cut short; other messages are kept.
 */
export function xmlProblem(message: string): string {
  const open = /^Invalid '(\[[\s\S]*\])' found\.?$/.exec(message.trim());
  if (!open) return message;
  try {
    const names = JSON.parse(open[1]) as unknown;
    if (Array.isArray(names) && names.every((n) => typeof n === 'string') && names.length > 0)
      return `the file ends with ${names.map((n) => `<${n}>`).join(' > ')} still open (cut short? download it again)`;
  } catch {
    // Not the list of open elements: keep the message.
  }
  return message;
}

/** Deepest element nesting accepted: the OFAC and UN list exports nest about 10 deep; parsers recurse per level. */
export const MAX_XML_DEPTH = 100;

/** The deepest element nesting of `text` (tags counted; declarations, comments and CDATA starts skipped). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const m of text.matchAll(/<([/!?]?)[^<>]*?(\/?)>/g)) {
    if (m[1] === '/') depth -= 1;
    else if (m[1] === '' && m[2] === '') deepest = Math.max(deepest, ++depth);
  }
  return deepest;
}

/** A child element as an object (empty when absent or text only). */
export function child(node: unknown, name: string): XmlNode {
  const value = (node as XmlNode | undefined)?.[name];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : {};
}

/** Repeated child elements (always an array). */
export function children(node: unknown, name: string): XmlNode[] {
  const value = (node as XmlNode | undefined)?.[name];
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    v !== null && typeof v === 'object' ? (v as XmlNode) : ({ '#text': v } as XmlNode),
  );
}

/** An element's text (an element with attributes keeps it under `#text`). */
export function text(node: unknown, name: string): string | undefined {
  const value = (node as XmlNode | undefined)?.[name];
  const raw =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as XmlNode)['#text']
      : value;
  return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
}
