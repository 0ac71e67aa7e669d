import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../openapi-document.ts';

/** pnpm openapi: regenerates openapi/openapi.json from the route schemas. */
const out = new URL('../../../openapi/openapi.json', import.meta.url);
writeFileSync(out, await openApiDocument());
console.log(`wrote ${out.pathname}`);
