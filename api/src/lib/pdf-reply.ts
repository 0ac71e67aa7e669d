import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

/** The 200 of a route that answers a printout. */
export const PdfResponse = {
  description: 'The PDF',
  content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
};

/** A rendered printout: its bytes, a file name safe in a header, and whether Chinese could be drawn. */
export interface RenderedPdf {
  pdf: Buffer;
  filename: string;
  cjkFont: boolean;
}

/** Answers a printout inline, in its language; `X-Pdf-Font: fallback` says Chinese could not be drawn. */
export function sendPdf(reply: FastifyReply, doc: RenderedPdf, locale: string) {
  reply.header('content-disposition', `inline; filename="${doc.filename}"`);
  reply.header('content-language', locale);
  reply.header('x-pdf-font', doc.cjkFont ? 'cjk' : 'fallback');
  return reply.type('application/pdf').send(doc.pdf);
}
