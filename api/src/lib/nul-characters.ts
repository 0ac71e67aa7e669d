/**
 * PostgreSQL text and jsonb cannot hold U+0000, so a string carrying one would fail deep in a
 * query. Every validated request part is searched once, centrally, and such a value is a field
 * error instead. Iterative, because a parsed body may be nested thousands of levels deep.
 */
export function nulCharacterPaths(value: unknown, limit = 10): string[] {
  const found: string[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length && found.length < limit) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) found.push(path || '/');
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1').replaceAll('\u0000', '\\u0000')}`;
        if (k.includes('\u0000')) found.push(at);
        else stack.push([child, at]);
      }
    }
  }
  return found;
}

/** The same shape as a schema validator's issue, so the error handler reports it as a field error. */
export const nulCharacterIssues = (paths: string[]) =>
  paths.map((instancePath) => ({
    keyword: 'nul_character',
    instancePath,
    schemaPath: '',
    params: {},
    message: 'must not contain NUL (U+0000) characters',
  }));
