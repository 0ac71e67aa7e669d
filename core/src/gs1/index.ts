export { AI_TABLE, type AiCharset, type AiDefinition, type AiFormat, aiDefinition } from './ai-table.ts';
export { gtinCheckDigit, hasValidCheckDigit, isValidGtin, normaliseGtin } from './check-digit.ts';
export { encodeGs1Label, type Gs1Encoded, type Gs1EncodeProblem, type Gs1LabelData } from './encode-gs1.ts';
export { daysInMonth, type Gs1Date, parseGs1Date, resolveGs1Year } from './gs1-date.ts';
export { type Gs1ErrorCode, Gs1ParseError } from './gs1-error.ts';
export {
  GS,
  type Gs1Element,
  type Gs1Form,
  type Gs1ParseOptions,
  type Gs1ParseResult,
  parseGs1,
} from './parse-gs1.ts';
