import { encodeGs1Label, type Gs1Encoded } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import bwipjs from 'bwip-js';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type FieldError, notFound, ProblemError } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';

export interface LabelRequest {
  lotNumber?: string;
  expiryDate?: string;
  quantity?: number;
}

const FIELD: Record<string, string> = {
  gtin: 'querystring:/gtin',
  lot: 'querystring:/lotNumber',
  expiry: 'querystring:/expiryDate',
  quantity: 'querystring:/quantity',
};

/**
 * The GS1 content of a repackaging label for one of the catalogue's items: its GTIN (01), the
 * expiry (17), the lot (10) and the count in the pack (30). An item without a GTIN cannot carry
 * a GS1 label (422 label_item_without_gtin).
 */
export async function labelContent(
  deps: AppDeps,
  auth: AuthContext,
  itemId: string,
  req: LabelRequest,
): Promise<Gs1Encoded & { itemCode: string }> {
  const item = await withTenantDb(deps.database.db, auth, async (tx) => {
    const r = await tx.execute<{ code: string; gtin: string | null }>(
      sql`select code, gtin from items where id = ${itemId}`,
    );
    return r.rows[0];
  });
  if (!item) throw notFound('The item');
  if (!item.gtin)
    throw new ProblemError(
      422,
      'label_item_without_gtin',
      'Item has no GTIN',
      `Item ${item.code} has no GTIN, so no GS1 label can be printed for it; add its GTIN first.`,
      undefined,
      { params: { itemCode: item.code } },
    );
  const encoded = encodeGs1Label({
    gtin: item.gtin,
    lot: req.lotNumber ?? null,
    expiry: req.expiryDate ?? null,
    quantity: req.quantity ?? null,
  });
  if ('problems' in encoded) {
    const errors: FieldError[] = encoded.problems.map((p) => ({
      field: FIELD[p.field] ?? p.field,
      message: p.reason,
      code: `label_${p.reason}`,
    }));
    throw new ProblemError(
      422,
      'label_not_encodable',
      'Label cannot be encoded',
      'Some values cannot be written in a GS1 label: the lot may hold only letters, digits and common symbols (at most 20), the count is a whole number.',
      errors,
    );
  }
  return { ...encoded, itemCode: item.code };
}

/** The GS1 DataMatrix symbol (FNC1 first, GS separators) as SVG or PNG. */
export async function renderDataMatrix(
  hri: string,
  format: 'svg' | 'png',
  scale: number,
): Promise<string | Buffer> {
  const options = { bcid: 'gs1datamatrix', text: hri, scale, paddingwidth: 1, paddingheight: 1 };
  return format === 'svg' ? bwipjs.toSVG(options) : bwipjs.toBuffer(options);
}
