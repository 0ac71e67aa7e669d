/** How much of a receiver's answer the delivery log keeps. */
export const EXCERPT_MAX_CHARS = 256;

// Anything in a receiver's answer that looks like a credential: a JWT, a bearer token, a
// `secret=...`-style pair, or a long opaque run of key-like characters.
const REDACTIONS: Array<[RegExp, string]> = [
  [/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted]'],
  [/\b(bearer|basic)\s+[^\s"',;]+/gi, '$1 [redacted]'],
  [
    /\b(password|passwd|secret|token|api[_-]?key|access[_-]?key|authorization|signature|session)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    '$1$2[redacted]',
  ],
  [/[A-Za-z0-9+/_=-]{32,}/g, '[redacted]'],
];

/**
 * A short, single-line, redacted excerpt of a receiver's response body for the delivery log:
 * at most EXCERPT_MAX_CHARS characters, control characters dropped, credential-like values
 * replaced. Headers are never kept.
 */
export function responseExcerpt(body: string): string {
  // Redact before cutting, so a secret that straddles the cut is not left half visible.
  let text = body
    .slice(0, EXCERPT_MAX_CHARS * 8)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement);
  return text.length > EXCERPT_MAX_CHARS ? `${text.slice(0, EXCERPT_MAX_CHARS - 1)}…` : text;
}
