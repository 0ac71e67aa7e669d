// openapi-typescript, resolved here so that its `typescript` peer is this package's TypeScript 6
// (see package.json); web/scripts/render-schema.mjs uses it.
export { astToString, default } from 'openapi-typescript';
