import { describe, expect, it } from 'vitest';
import { GS, Gs1ParseError, parseGs1 } from '../../src/gs1/index.ts';

// Fixed so that two-digit years resolve the same way on every run.
const options = { referenceDate: new Date('2025-06-15T00:00:00Z') };
const parse = (input: string) => parseGs1(input, options);

/** Runs the parser expecting failure and returns the error for inspection. */
function failure(input: string, opts = options): Gs1ParseError {
  try {
    parseGs1(input, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(Gs1ParseError);
    return error as Gs1ParseError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

describe('parseGs1: human-readable parenthesised form', () => {
  it('parses GTIN, expiry and lot', () => {
    const result = parse('(01)09506000134352(17)201225(10)ABC123');
    expect(result).toMatchObject({
      form: 'parenthesised',
      gtin: '09506000134352',
      expiry: '2020-12-25',
      lot: 'ABC123',
      ais: { '01': '09506000134352', '17': '201225', '10': 'ABC123' },
    });
    expect(result.elements.map((e) => [e.ai, e.position])).toEqual([
      ['01', 0],
      ['17', 18],
      ['10', 28],
    ]);
  });

  it('parses a full UDI with production date, serial and count', () => {
    const result = parse('(01)06953001200013(11)250301(17)280228(10)L2503A(21)SN-0001/7(30)100');
    expect(result).toMatchObject({
      gtin: '06953001200013',
      productionDate: '2025-03-01',
      expiry: '2028-02-28',
      lot: 'L2503A',
      serial: 'SN-0001/7',
      count: 100,
    });
  });

  it('tolerates spaces that printed labels put between elements', () => {
    const result = parse('(01) 09506000134352 (17) 260100 (10) X1');
    expect(result).toMatchObject({ gtin: '09506000134352', expiry: '2026-01-31', lot: 'X1' });
  });

  it('reads DD = 00 as the last day of the month', () => {
    const result = parse('(01)09506000134352(17)240200');
    expect(result.expiry).toBe('2024-02-29');
    expect(result.elements[1]).toMatchObject({
      ai: '17',
      value: '240200',
      date: '2024-02-29',
      dayOmitted: true,
    });
  });

  it('keeps a "(" inside a value when it does not start an AI', () => {
    expect(parse('(01)09506000134352(10)A(B)C').lot).toBe('A(B)C');
  });
});

describe('parseGs1: raw scanner element strings', () => {
  it('parses GS-separated GS1-128 with the ]C1 symbology identifier', () => {
    const result = parse(`]C10109506000134352172512311012345${GS}21ABC`);
    expect(result).toMatchObject({
      form: 'element-string',
      symbologyId: 'C1',
      gtin: '09506000134352',
      expiry: '2025-12-31',
      lot: '12345',
      serial: 'ABC',
    });
    // Positions count from the start of the input, prefix included.
    expect(result.elements.map((e) => e.position)).toEqual([3, 19, 27, 35]);
  });

  it('parses GS1 DataMatrix (]d2) with a leading GS standing for FNC1', () => {
    const result = parse(`]d2${GS}010950600013435210LOT-7${GS}17270600`);
    expect(result).toMatchObject({ symbologyId: 'd2', lot: 'LOT-7', expiry: '2027-06-30' });
  });

  it('parses GS1 QR (]Q3)', () => {
    expect(parse(']Q3010950600013435221SER42').serial).toBe('SER42');
  });

  it('parses an element string without any symbology identifier', () => {
    const result = parse(`010950600013435210ABC${GS}3025`);
    expect(result).toMatchObject({ form: 'element-string', lot: 'ABC', count: 25 });
    expect(result.symbologyId).toBeUndefined();
  });

  it('accepts a GS after a fixed-length AI and a trailing GS', () => {
    expect(parse(`0109506000134352${GS}17251231${GS}`).expiry).toBe('2025-12-31');
  });

  it('ignores the CR/LF a keyboard-wedge scanner appends', () => {
    expect(parse(']C1010950600013435210A1\r\n').lot).toBe('A1');
  });

  it('accepts caller-configured FNC1 substitutes', () => {
    const result = parseGs1('010950600013435210ABC|21XYZ', { ...options, separators: `${GS}|` });
    expect(result).toMatchObject({ lot: 'ABC', serial: 'XYZ' });
  });

  it('interprets other supported AIs', () => {
    const result = parse(
      [
        '0109506000134352',
        '15151231',
        `24012-345${GS}`,
        '3103001250',
        '4149506000134352',
        '70032512311430',
      ].join(''),
    );
    expect(result.bestBefore).toBe('2015-12-31');
    expect(result.ais['240']).toBe('12-345');
    expect(result.elements.find((e) => e.ai === '3103')).toMatchObject({ value: '001250', number: 1.25 });
    expect(result.ais['414']).toBe('9506000134352');
    expect(result.elements.find((e) => e.ai === '7003')).toMatchObject({ date: '2025-12-31T14:30' });
  });

  it('keeps an exactly repeated AI once', () => {
    const result = parse('(01)09506000134352(10)A(01)09506000134352');
    expect(result.elements).toHaveLength(2);
  });
});

describe('parseGs1: plain GTIN scans', () => {
  it.each([
    ['EAN-13', '9506000134352', '09506000134352'],
    ['GTIN-8', '96385074', '00000096385074'],
    ['UPC-A', '036000291452', '00036000291452'],
    ['ITF-14 / GTIN-14', '19506000134359', '19506000134359'],
    ['EAN-13 with ]E0', ']E09506000134352', '09506000134352'],
    ['ITF-14 with ]I1', ']I119506000134359', '19506000134359'],
  ])('%s', (_kind, input, gtin) => {
    const result = parse(input);
    expect(result).toMatchObject({ form: 'plain-gtin', gtin, ais: { '01': gtin } });
  });

  it('rejects a plain GTIN with a wrong check digit', () => {
    expect(failure('9506000134353')).toMatchObject({ code: 'gs1.check_digit', ai: '01', position: 0 });
  });

  it('rejects an EAN symbology carrying a GTIN of the wrong length', () => {
    expect(failure(']E012345').code).toBe('gs1.bad_length');
  });
});

describe('parseGs1: errors', () => {
  it('gs1.check_digit for AI 01 names the AI, position and expected digit', () => {
    const error = failure(']C10109506000134353');
    expect(error).toMatchObject({ code: 'gs1.check_digit', ai: '01', position: 3 });
    expect(error.message).toMatch(/\(01\).*position 3.*expected 2/);
    expect(failure('(01)09506000134353(10)A').code).toBe('gs1.check_digit');
  });

  it('gs1.check_digit for other check-digit AIs (SSCC, GLN)', () => {
    expect(failure('(00)106141411234567898')).toMatchObject({ code: 'gs1.check_digit', ai: '00' });
    expect(failure('(414)9506000134353')).toMatchObject({ code: 'gs1.check_digit', ai: '414' });
  });

  it('gs1.unknown_ai in both forms', () => {
    expect(failure('011950600013435919ABC')).toMatchObject({ code: 'gs1.unknown_ai', position: 16 });
    expect(failure('(01)09506000134352(19)ABC')).toMatchObject({
      code: 'gs1.unknown_ai',
      ai: '19',
      position: 18,
    });
    expect(failure(']C1XYZ').message).toMatch(/expected an application identifier/);
  });

  it('gs1.truncated when a fixed-length value is cut short', () => {
    expect(failure(']C10109506000')).toMatchObject({ code: 'gs1.truncated', ai: '01', position: 3 });
    expect(failure(`0109506000134${GS}10A`)).toMatchObject({ code: 'gs1.truncated', ai: '01' });
    expect(failure('(17)2512')).toMatchObject({ code: 'gs1.truncated', ai: '17' });
    expect(failure('01095060001343521725')).toMatchObject({ code: 'gs1.truncated', ai: '17', position: 16 });
  });

  it('gs1.truncated when the input ends inside an AI or a value is empty', () => {
    expect(failure('010950600013435217251231' + '1')).toMatchObject({ code: 'gs1.truncated', position: 24 });
    expect(failure(`010950600013435210${GS}21A`)).toMatchObject({
      code: 'gs1.truncated',
      ai: '10',
      position: 16,
    });
    expect(failure('(01)09506000134352(10)')).toMatchObject({ code: 'gs1.truncated', ai: '10' });
  });

  it('gs1.too_long for variable-length values over their maximum', () => {
    const error = failure(`0109506000134352${'10'}${'A'.repeat(21)}`);
    expect(error).toMatchObject({ code: 'gs1.too_long', ai: '10', position: 16 });
    expect(error.message).toMatch(/at most 20.*GS separator missing/);
    expect(failure(`(21)${'9'.repeat(21)}`).code).toBe('gs1.too_long');
    expect(failure('(30)123456789')).toMatchObject({ code: 'gs1.too_long', ai: '30' });
    expect(failure('(17)2512310')).toMatchObject({ code: 'gs1.too_long', ai: '17' });
  });

  it('gs1.too_long catches a lot that swallowed the next element because GS was missing', () => {
    expect(failure('0109506000134352' + '10ABCDEFGHIJ' + '17251231' + '21SERIAL').code).toBe('gs1.too_long');
  });

  it('gs1.bad_date for impossible dates', () => {
    expect(failure('(17)251301')).toMatchObject({ code: 'gs1.bad_date', ai: '17' });
    expect(failure(']C1010950600013435217250230')).toMatchObject({
      code: 'gs1.bad_date',
      ai: '17',
      position: 19,
    });
    expect(failure('(11)250229').message).toMatch(/\(11\).*250229.*day 29 does not exist/);
    expect(failure('(7003)2512001200').code).toBe('gs1.bad_date');
    expect(failure('(7003)2512312460').code).toBe('gs1.bad_date');
  });

  it('gs1.bad_char for characters outside the AI character set', () => {
    expect(failure('(30)12A')).toMatchObject({ code: 'gs1.bad_char', ai: '30' });
    expect(failure('010950600013435210AB#C')).toMatchObject({ code: 'gs1.bad_char', ai: '10', position: 20 });
    expect(failure('010950600013435210AB C').code).toBe('gs1.bad_char');
    expect(failure('(17)25A231').code).toBe('gs1.bad_char');
  });

  it('gs1.duplicate_ai when an AI repeats with a different value', () => {
    expect(failure('(01)09506000134352(10)A(10)B')).toMatchObject({
      code: 'gs1.duplicate_ai',
      ai: '10',
      position: 23,
    });
  });

  it('gs1.bad_syntax for malformed parenthesised input', () => {
    expect(failure('(01').code).toBe('gs1.bad_syntax');
    expect(failure('(1)23').code).toBe('gs1.bad_syntax');
  });

  it('gs1.empty and gs1.not_gs1', () => {
    expect(failure('').code).toBe('gs1.empty');
    expect(failure(' \r\n').code).toBe('gs1.empty');
    expect(failure(']C1').code).toBe('gs1.empty');
    expect(failure(`]C1${GS}${GS}`).code).toBe('gs1.empty');
    expect(failure('+A123BJC5D6E71G').code).toBe('gs1.not_gs1');
  });
});

describe('parseGs1: century of two-digit years', () => {
  it('resolves against the reference date', () => {
    expect(parseGs1('(17)760101', { referenceDate: new Date('2025-01-01') }).expiry).toBe('1976-01-01');
    expect(parseGs1('(17)750101', { referenceDate: new Date('2025-01-01') }).expiry).toBe('2075-01-01');
    expect(parseGs1('(17)300101', { referenceDate: new Date('2090-01-01') }).expiry).toBe('2130-01-01');
  });

  it('defaults to the current clock', () => {
    const yy = String(new Date().getUTCFullYear() % 100).padStart(2, '0');
    expect(parseGs1(`(17)${yy}0101`).expiry).toBe(`${new Date().getUTCFullYear()}-01-01`);
  });
});
