import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir`, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((f) => join(name, f)) : [name];
  });
}

/** The setting names that hold secrets: their values must come from a file or a Secret object. */
export const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE_KEY|SECRETS_KEYS|DATABASE_URL|SMTP_URL|API_KEY/i;

/**
 * Lines of a deployment file that look like a secret written into it: a private key, Stripe
 * keys, a URL with a password, or a secret-named setting given a literal value (rather than a
 * NAME_FILE path, a ${VARIABLE}, a secretKeyRef or an empty value).
 */
export function secretLookingLines(dir: string): string[] {
  const hits: string[] = [];
  for (const file of filesUnder(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    text.split('\n').forEach((line, i) => {
      const where = `${relative(dir, join(dir, file))}:${i + 1}: ${line.trim()}`;
      if (/^\s*#/.test(line)) return; // comments explain, they hold no values
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line)) hits.push(where);
      if (/\b(sk|rk)_(live|test)_[A-Za-z0-9]{6,}|\bwhsec_[A-Za-z0-9]{6,}/.test(line)) hits.push(where);
      // scheme://user:password@host with a literal password (not a ${placeholder} or %s).
      const url = /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@/i.exec(line);
      if (url && !/^(\$\{|%s|\$\(|\$[A-Za-z_])/.test(url[1]!)) hits.push(where);
      // NAME: value / NAME=value with a secret-looking NAME and a literal value.
      const setting = /^\s*-?\s*(?:name:\s*)?([A-Z][A-Z0-9_]*)\s*[:=]\s*["']?([^"'\s#]*)/.exec(line);
      if (setting && SECRET_NAME.test(setting[1]!) && !setting[1]!.endsWith('_FILE')) {
        const value = setting[2]!;
        const indirect = value === '' || /^(\$\{|\$\(|\{\{|\/run\/secrets\/|@[A-Z_]+@)/.test(value);
        if (!indirect) hits.push(where);
      }
    });
  }
  return [...new Set(hits)]; // one entry per line, however many rules it breaks
}

/** The stages of a Dockerfile: name → its lines (FROM … AS name up to the next FROM). */
export function dockerStages(dockerfile: string): Map<string, { from: string; lines: string[] }> {
  const stages = new Map<string, { from: string; lines: string[] }>();
  let current: string[] | undefined;
  for (const raw of dockerfile.split('\n')) {
    const line = raw.trim();
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [];
      stages.set(from[2] ?? `#${stages.size}`, { from: from[1]!, lines: current });
    } else if (current && line && !line.startsWith('#')) current.push(line);
  }
  return stages;
}

/** The user a stage's processes run as: its last USER, else its parent stage's, else root. */
export function stageUser(stages: ReturnType<typeof dockerStages>, name: string): string {
  const stage = stages.get(name);
  if (!stage) return 'root';
  const users = stage.lines.filter((l) => /^USER\s/i.test(l));
  if (users.length > 0) return users.at(-1)!.split(/\s+/)[1]!;
  return stages.has(stage.from) ? stageUser(stages, stage.from) : 'root';
}
