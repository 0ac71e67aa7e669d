import PDFDocument from 'pdfkit';
import { CJK_FONT_HINT, type PdfFont } from './pdf-font.ts';

/** Text a font without CJK glyphs can draw: anything else prints as '?', never as a blank box. */
const latinOnly = (s: string) => s.replace(/[^\u0020-\u00ff\u2013-\u2026€\n]/g, '?');

/**
 * An A4 document for the printouts (purchase order, count sheet) in the body font, with what
 * each of them needs: its bytes once ended, the text area, `text` for strings that may hold
 * Chinese, and a date-time in the organisation's zone. Without a CJK font the first line says
 * which font to install.
 */
export function openPdf(o: {
  title: string;
  author: string;
  font: PdfFont;
  locale: string;
  timeZone: string;
  margin: number;
  layout?: 'portrait' | 'landscape';
}) {
  const doc = new PDFDocument({
    size: 'A4',
    layout: o.layout ?? 'portrait',
    margin: o.margin,
    info: { Title: o.title, Author: o.author, Creator: 'medstock' },
  });
  doc.registerFont('body', o.font.file, o.font.family);
  doc.font('body');
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  if (!o.font.cjk) doc.fontSize(8).fillColor('#b00020').text(CJK_FONT_HINT).fillColor('black').moveDown(0.5);
  const dateTime = new Intl.DateTimeFormat(o.locale, {
    timeZone: o.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return {
    doc,
    done,
    left,
    width,
    text: o.font.cjk ? (s: string) => s : latinOnly,
    when: (isoTime: string | null) => (isoTime ? dateTime.format(new Date(isoTime)) : '—'),
  };
}
