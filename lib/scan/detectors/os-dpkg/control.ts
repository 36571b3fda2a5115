/**
 * Parser of Debian control data (deb822(5)), the format of
 * `var/lib/dpkg/status`: paragraphs separated by blank lines, each a list
 * of `Field: value` lines; lines starting with a space or tab continue the
 * previous field. Field names are case-insensitive.
 */

/** One paragraph: field names lower-cased, values trimmed. */
export interface ControlParagraph {
  fields: Map<string, string>;
  /** 1-based line number of the paragraph's first line. */
  line: number;
  /** Set when the paragraph is malformed; its fields are then incomplete. */
  error?: string | undefined;
}

const LINE_SPLIT_RE = /\r?\n/;
const BLANK_RE = /^[ \t]*$/;
// deb822: a field name is printable US-ASCII except `:`, not starting with `#` or `-`.
const FIELD_RE = /^([!-"$-,.-9;-~][!-9;-~]*):(.*)$/;

/**
 * Splits control text into paragraphs, in order. A malformed paragraph (a
 * line that is neither a field nor a continuation, a continuation before
 * any field, a repeated field) comes back with `error` set, and parsing goes
 * on with the next paragraph. `#` comment lines are ignored.
 */
export function parseControl(text: string): ControlParagraph[] {
  const paragraphs: ControlParagraph[] = [];
  let current: ParagraphBuilder | undefined;
  text.split(LINE_SPLIT_RE).forEach((line, index) => {
    if (BLANK_RE.test(line)) {
      if (current !== undefined) paragraphs.push(current);
      current = undefined;
      return;
    }
    if (line.startsWith('#')) return;
    current ??= {
      fields: new Map(),
      line: index + 1,
      lastField: undefined,
      error: undefined,
    };
    if (current.error === undefined) addLine(current, line, index + 1);
  });
  if (current !== undefined) paragraphs.push(current);
  return paragraphs.map(({ fields, line, error }) => ({ fields, line, error }));
}

interface ParagraphBuilder extends ControlParagraph {
  lastField: string | undefined;
}

function addLine(
  paragraph: ParagraphBuilder,
  line: string,
  lineNumber: number,
): void {
  if (line.startsWith(' ') || line.startsWith('\t')) {
    const field = paragraph.lastField;
    if (field === undefined) {
      paragraph.error = `continuation line ${lineNumber} before any field`;
      return;
    }
    const previous = paragraph.fields.get(field) ?? '';
    paragraph.fields.set(field, `${previous}\n${line.trim()}`);
    return;
  }
  const match = FIELD_RE.exec(line);
  if (match === null) {
    paragraph.error = `line ${lineNumber} is not a field`;
    return;
  }
  const name = (match[1] as string).toLowerCase();
  if (paragraph.fields.has(name)) {
    paragraph.error = `field ${name} repeated on line ${lineNumber}`;
    return;
  }
  paragraph.fields.set(name, (match[2] as string).trim());
  paragraph.lastField = name;
}
