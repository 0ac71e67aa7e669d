import { readdirSync, readFileSync } from 'node:fs';
import { shippedPath } from '@medstock/config';
import { assertCatalogueTemplate, type CatalogueTemplate } from '@medstock/core';

const TEMPLATE_DIR = shippedPath('db/catalogue-templates/');

let cache: ReadonlyMap<string, CatalogueTemplate> | undefined;

/**
 * Every starter catalogue in db/catalogue-templates/, by code, in file-name order. Read and
 * validated once per process: the files ship with the build and never change while it runs, and
 * a broken file should stop the first caller loudly rather than seed half a catalogue.
 */
export function catalogueTemplates(): ReadonlyMap<string, CatalogueTemplate> {
  if (cache) return cache;
  const loaded = new Map<string, CatalogueTemplate>();
  const files = readdirSync(TEMPLATE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of files) {
    const json: unknown = JSON.parse(readFileSync(`${TEMPLATE_DIR}${file}`, 'utf8'));
    try {
      assertCatalogueTemplate(json);
    } catch (err) {
      throw new Error(`catalogue template ${file}: ${(err as Error).message}`);
    }
    if (`${json.code}.json` !== file)
      throw new Error(`catalogue template ${file} declares code '${json.code}'`);
    loaded.set(json.code, json);
  }
  cache = loaded;
  return cache;
}

/** The template with this code, or undefined. */
export function findCatalogueTemplate(code: string): CatalogueTemplate | undefined {
  return catalogueTemplates().get(code);
}
