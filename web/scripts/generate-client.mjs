// Regenerates openapi/schema.d.ts (the typed API client's types) from the committed
// openapi/openapi.json. `pnpm --filter @medstock/web gen`; web/test/client-drift.test.ts fails when
// the two disagree.
import { writeFileSync } from 'node:fs';
import { renderSchema, schemaPath } from './render-schema.mjs';

writeFileSync(schemaPath, await renderSchema());
console.log(`wrote ${schemaPath}`);
